/**
 * A local emulation of the two AWS Secrets Manager operations the chat uses: `GetSecretValue` (what every
 * function reads its signing key with) and `PutSecretValue` (what the documented rotation runs). It speaks the
 * service's JSON 1.1 protocol as `@aws-sdk/client-secrets-manager` and the aws CLI do: `POST /`, the operation in
 * `X-Amz-Target: secretsmanager.<Operation>`, the input as a JSON body; answers carry the service's fields and
 * errors carry `__type` with status 400. It holds one secret, so that the real SDK client in the handlers reads
 * a real endpoint and rotation can be tried and tested without AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostForUrl, listen } from './lambda-context.ts';

export interface SecretsManagerOptions {
  /** Address to listen on, e.g. `127.0.0.1`. */
  readonly host: string;
  /** Port to listen on; 0 picks any free port. */
  readonly port: number;
  /** The secret's ARN; its name is the part after `secret:` minus the 7-character suffix, as on AWS. */
  readonly secretArn: string;
  /** The secret's value at start (its first version, `AWSCURRENT`). */
  readonly initialValue: string;
  /** Told the new value each time a put makes a version `AWSCURRENT`, so that it can be kept. */
  readonly onNewCurrentValue?: (value: string) => void;
  /** One call per request: the operation (or what was asked) and the status; never a value. */
  readonly onRequest?: (operation: string, status: number) => void;
}

export interface SecretsManagerEmulator {
  /** `http://host:port`: the endpoint a Secrets Manager client is given. */
  readonly endpoint: string;
  close(): Promise<void>;
}

interface SecretVersion {
  readonly versionId: string;
  readonly value: string;
  /** Seconds since the epoch, as the JSON protocol sends timestamps. */
  readonly createdDate: number;
}

/** An error answer of the service: 400 with `__type` and `Message`, as the real one sends. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Answer {
  readonly operation: string;
  readonly status: number;
  readonly body: unknown;
}

const notFound = (detail = '') =>
  new ServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret${detail}.`);

/** Starts the emulated service; resolves once it listens. */
export async function startSecretsManager(options: SecretsManagerOptions): Promise<SecretsManagerEmulator> {
  const { secretArn } = options;
  // `arn:aws:secretsmanager:region:account:secret:NAME-abcdef`: the name is given without the random suffix.
  const name = secretArn.slice(secretArn.indexOf(':secret:') + ':secret:'.length, -7);
  // Only the two labelled versions are kept: the real service also keeps up to 100 deprecated ones, unread here.
  const newVersion = (versionId: string, value: string) => ({
    versionId,
    value,
    createdDate: Date.now() / 1000,
  });
  let current: SecretVersion = newVersion(randomUUID(), options.initialValue);
  let previous: SecretVersion | undefined;
  const stagesOf = (version: SecretVersion) => [version === current ? 'AWSCURRENT' : 'AWSPREVIOUS'];

  const secretOf = (input: Record<string, unknown>) => {
    const id = input.SecretId;
    if (typeof id !== 'string' || id === '') {
      throw new ServiceError(
        'ValidationException',
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
      );
    }
    // The service takes the name, the full ARN, or the ARN without its random suffix.
    if (id !== name && id !== secretArn && id !== secretArn.slice(0, -7)) throw notFound();
  };

  const operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    GetSecretValue(input) {
      secretOf(input);
      const { VersionId: versionId, VersionStage: stage = 'AWSCURRENT' } = input;
      const version =
        versionId !== undefined
          ? [current, previous].find((candidate) => candidate?.versionId === versionId)
          : { AWSCURRENT: current, AWSPREVIOUS: previous }[String(stage)];
      if (version === undefined) {
        const asked = versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${stage}`;
        throw notFound(` value for ${asked}`);
      }
      return {
        ARN: secretArn,
        Name: name,
        VersionId: version.versionId,
        SecretString: version.value,
        VersionStages: stagesOf(version),
        CreatedDate: version.createdDate,
      };
    },
    PutSecretValue(input) {
      secretOf(input);
      const { SecretString: value, ClientRequestToken: token } = input;
      if (input.SecretBinary !== undefined || input.VersionStages !== undefined) {
        throw new ServiceError('InvalidRequestException', 'The local stack takes a SecretString only.');
      }
      if (typeof value !== 'string') {
        throw new ServiceError(
          'InvalidRequestException',
          'You must provide either SecretString or SecretBinary.',
        );
      }
      // The SDK and the CLI send a fresh token with every put; a repeated one names the same version.
      const versionId = typeof token === 'string' && token !== '' ? token : randomUUID();
      let version = [current, previous].find((candidate) => candidate?.versionId === versionId);
      if (version !== undefined && version.value !== value) {
        throw new ServiceError(
          'ResourceExistsException',
          "You can't modify an existing version, you can only create a new version.",
        );
      }
      if (version === undefined) {
        version = newVersion(versionId, value);
        [previous, current] = [current, version];
        options.onNewCurrentValue?.(value);
      }
      return { ARN: secretArn, Name: name, VersionId: versionId, VersionStages: stagesOf(version) };
    },
  };

  /** The answer to one request: an operation's output, or the service's error shape. */
  function answer(method: string | undefined, target: string, text: string): Answer {
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : target;
    const run = method === 'POST' ? operations[operation] : undefined;
    try {
      if (run === undefined) throw new ServiceError('UnknownOperationException', '');
      const input = parseObject(text);
      if (input === undefined) {
        throw new ServiceError(
          'SerializationException',
          'Start of structure or map found where not expected.',
        );
      }
      return { operation, status: 200, body: run(input) };
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      return {
        operation: operation || '-',
        status: 400,
        body: { __type: error.type, Message: error.message },
      };
    }
  }

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    readText(request)
      .then((text) => answer(request.method, String(request.headers['x-amz-target'] ?? ''), text))
      .catch(
        (): Answer => ({
          operation: '-',
          status: 500,
          body: { __type: 'InternalServiceError', Message: 'Internal error.' },
        }),
      )
      .then(({ operation, status, body }) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
        });
        response.end(JSON.stringify(body));
        options.onRequest?.(operation, status);
      });
  });

  const port = await listen(server, options.port, options.host);
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${hostForUrl(options.host)}:${port}`,
    close() {
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      return stopped;
    },
  };
}

/** The JSON object in a request body (an empty body is `{}`), or undefined when it is not one. */
function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function readText(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
