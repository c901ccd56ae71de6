import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import { type SecretsManagerEmulator, startSecretsManager } from '../../lib/local/secrets-manager.ts';

const NAME = 'chat-test-key';
const ARN = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${NAME}-Ab12Cd`;
const INITIAL = 'initial-value';

let emulator: SecretsManagerEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(extra: { onNewCurrentValue?: (value: string) => void } = {}) {
  const log: string[] = [];
  emulator = await startSecretsManager({
    host: '127.0.0.1',
    port: 0,
    secretArn: ARN,
    initialValue: INITIAL,
    onRequest: (operation, status) => log.push(`${operation} ${status}`),
    ...extra,
  });
  const client = new SecretsManagerClient({
    ...localAwsSettings,
    endpoint: emulator.endpoint,
    maxAttempts: 1,
  });
  return { client, log, endpoint: emulator.endpoint };
}

/** A request as the JSON 1.1 protocol sends it, with any body: what the SDK would never send. */
async function post(endpoint: string, target: string, text: string) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: text,
  });
  const body = (await response.json()) as { __type: string; Message: string };
  return { status: response.status, type: response.headers.get('content-type'), body };
}

describe('local Secrets Manager (real SDK client)', () => {
  it('answers GetSecretValue by name, ARN or partial ARN with the fields of the real service', async () => {
    const { client, log } = await start();

    const answers = await Promise.all(
      [NAME, ARN, ARN.slice(0, -7)].map((id) => client.send(new GetSecretValueCommand({ SecretId: id }))),
    );

    for (const answer of answers) {
      expect(answer).toMatchObject({
        ARN,
        Name: NAME,
        SecretString: INITIAL,
        VersionStages: ['AWSCURRENT'],
        VersionId: answers[0]?.VersionId,
      });
      expect(answer.CreatedDate).toBeInstanceOf(Date);
      expect(Math.abs(Date.now() - (answer.CreatedDate as Date).getTime())).toBeLessThan(10_000);
    }
    expect(log).toEqual(['GetSecretValue 200', 'GetSecretValue 200', 'GetSecretValue 200']);
  });

  it('makes a put value AWSCURRENT, the old one AWSPREVIOUS, and reports the new current value', async () => {
    const kept: string[] = [];
    const { client } = await start({ onNewCurrentValue: (value) => kept.push(value) });
    const before = await client.send(new GetSecretValueCommand({ SecretId: NAME }));

    const put = await client.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: 'second-value' }));
    const current = await client.send(new GetSecretValueCommand({ SecretId: NAME }));
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: NAME, VersionStage: 'AWSPREVIOUS' }),
    );
    const byId = await client.send(
      new GetSecretValueCommand({ SecretId: NAME, VersionId: before.VersionId }),
    );

    expect(put).toMatchObject({ ARN, Name: NAME, VersionStages: ['AWSCURRENT'] });
    expect(put.VersionId).not.toBe(before.VersionId);
    expect(current).toMatchObject({ SecretString: 'second-value', VersionId: put.VersionId });
    expect(previous).toMatchObject({ SecretString: INITIAL, VersionStages: ['AWSPREVIOUS'] });
    expect(byId.SecretString).toBe(INITIAL);
    expect(kept).toEqual(['second-value']);
  });

  it('treats a repeated ClientRequestToken as the same version, and refuses it with another value', async () => {
    const kept: string[] = [];
    const { client } = await start({ onNewCurrentValue: (value) => kept.push(value) });
    const token = '11111111-2222-3333-4444-555555555555';
    const put = () =>
      new PutSecretValueCommand({ SecretId: NAME, SecretString: 'same-value', ClientRequestToken: token });

    const first = await client.send(put());
    const again = await client.send(put());
    const other = client.send(
      new PutSecretValueCommand({ SecretId: NAME, SecretString: 'other', ClientRequestToken: token }),
    );

    expect(first.VersionId).toBe(token);
    expect(again.VersionId).toBe(token);
    await expect(other).rejects.toBeInstanceOf(ResourceExistsException);
    expect(kept).toEqual(['same-value']);
  });

  it('answers an unknown secret with ResourceNotFoundException (400), for either operation', async () => {
    const { client, log } = await start();

    const get = client.send(new GetSecretValueCommand({ SecretId: 'other-secret' }));
    const put = client.send(new PutSecretValueCommand({ SecretId: 'other-secret', SecretString: 'x' }));

    await expect(get).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(put).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      $metadata: { httpStatusCode: 400 },
    });
    expect(log).toEqual(['GetSecretValue 400', 'PutSecretValue 400']);
    expect((await client.send(new GetSecretValueCommand({ SecretId: NAME }))).SecretString).toBe(INITIAL);
  });

  it('answers malformed requests with the JSON protocol error shapes and changes nothing', async () => {
    const kept: string[] = [];
    const { client, endpoint } = await start({ onNewCurrentValue: (value) => kept.push(value) });

    const answers = [
      await post(endpoint, 'secretsmanager.PutSecretValue', '{"SecretId": '),
      await post(endpoint, 'secretsmanager.PutSecretValue', '[]'),
      await post(endpoint, 'secretsmanager.GetSecretValue', '{}'),
      await post(endpoint, 'secretsmanager.PutSecretValue', JSON.stringify({ SecretId: NAME })),
      await post(endpoint, 'secretsmanager.DeleteSecret', JSON.stringify({ SecretId: NAME })),
    ];

    expect(answers.map(({ status, body }) => [status, body.__type])).toEqual([
      [400, 'SerializationException'],
      [400, 'SerializationException'],
      [400, 'ValidationException'],
      [400, 'InvalidRequestException'],
      [400, 'UnknownOperationException'],
    ]);
    for (const answer of answers) expect(answer.type).toBe('application/x-amz-json-1.1');
    expect(kept).toEqual([]);
    expect((await client.send(new GetSecretValueCommand({ SecretId: NAME }))).SecretString).toBe(INITIAL);
  });
});
