/**
 * The AsyncAPI 3.0 document of the WebSocket API, generated from the contract (lib/contract): the actions a
 * client sends with the reply each gets, the frames the server sends, and the error codes of error frames.
 * Written from the server's side: it receives actions and sends frames. `npm run documents` writes it to
 * docs/asyncapi.json; a test fails when the committed file differs from what this module builds.
 */
import {
  closeCodes,
  limits,
  type ServerFrameType,
  type SocketAction,
  serverFrames,
  socketActionNames,
  socketActions,
} from '../contract/index.ts';
import { type JsonSchema, jsonSchemaOf, publishedJsonSchemas, sortedByKey } from './json-schema.ts';

/** Where the generated document is committed, relative to the repository root. */
export const ASYNCAPI_DOCUMENT_PATH = 'docs/asyncapi.json';

const CHANNEL = 'chat';
const schemaUri = (id: string) => `#/components/schemas/${id}`;
const channelMessage = (name: string) => ({ $ref: `#/channels/${CHANNEL}/messages/${name}` });
const actionMessageName = (action: SocketAction) => `${action}Action`;
const frameMessageName = (type: ServerFrameType) => `${type}Frame`;

/** An action's frame: its own fields plus `"action"`, the field API Gateway routes on. */
function actionPayload(action: SocketAction): JsonSchema {
  const fields = jsonSchemaOf(socketActions[action].frame, 'draft-7', schemaUri) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return {
    ...fields,
    properties: { action: { const: action }, ...fields.properties },
    required: ['action', ...(fields.required ?? [])],
  };
}

function messages(): Record<string, JsonSchema> {
  const result: Record<string, JsonSchema> = {};
  for (const action of socketActionNames) {
    result[actionMessageName(action)] = {
      name: action,
      summary: socketActions[action].summary,
      payload: actionPayload(action),
    };
  }
  for (const type of Object.keys(serverFrames) as ServerFrameType[]) {
    result[frameMessageName(type)] = {
      name: type,
      payload: jsonSchemaOf(serverFrames[type], 'draft-7', schemaUri),
    };
  }
  return result;
}

function operations(): Record<string, JsonSchema> {
  const channel = { $ref: `#/channels/${CHANNEL}` };
  const result: Record<string, JsonSchema> = {};
  for (const action of socketActionNames) {
    result[action] = {
      action: 'receive',
      channel,
      summary: socketActions[action].summary,
      messages: [channelMessage(actionMessageName(action))],
      reply: {
        channel,
        messages: [...socketActions[action].replies, 'error' as const].map((type) =>
          channelMessage(frameMessageName(type)),
        ),
      },
    };
  }
  for (const type of Object.keys(serverFrames) as ServerFrameType[]) {
    result[`send_${type}`] = { action: 'send', channel, messages: [channelMessage(frameMessageName(type))] };
  }
  return result;
}

/** Builds the AsyncAPI 3.0 document of the WebSocket API. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const messageNames = Object.keys(messages());
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Serverless chat WebSocket API',
      // The version of the contract (docs/PROTOCOL.md), not of the package.
      version: '1.0.0',
      description: [
        'Live rooms and direct messages. Client frames are JSON objects routed by their `action`; server frames',
        `are JSON objects with a \`type\`. Frames are at most ${limits.maxFrameBytes} bytes either way (a larger`,
        `one closes the connection with ${closeCodes.messageTooBig}); binary frames close it with`,
        `${closeCodes.unsupportedData}. A connection idle for ${limits.webSocketIdleSeconds} s, or open for`,
        `${limits.webSocketMaxConnectionSeconds} s, is closed with ${closeCodes.goingAway}. Any frame that fails`,
        'gets an `error` frame and the connection stays open.',
      ].join(' '),
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    defaultContentType: 'application/json',
    servers: {
      aws: {
        host: '{apiId}.execute-api.{region}.amazonaws.com',
        pathname: '/{stage}',
        protocol: 'wss',
        description: 'A deployed stack: the `WebSocketUrl` output of `cdk deploy`.',
        variables: {
          apiId: { description: 'The WebSocket API id.' },
          region: { description: 'The AWS region.', default: 'us-east-1' },
          stage: { description: 'The stage name.', default: 'prod' },
        },
        security: [
          { $ref: '#/components/securitySchemes/queryToken' },
          { $ref: '#/components/securitySchemes/bearer' },
        ],
      },
      local: {
        host: '127.0.0.1:3001',
        protocol: 'ws',
        description: 'The local stack (`npm start`).',
        security: [
          { $ref: '#/components/securitySchemes/queryToken' },
          { $ref: '#/components/securitySchemes/bearer' },
        ],
      },
    },
    channels: {
      [CHANNEL]: {
        address: '/',
        description: 'The one connection of a client: every action and frame travels on it.',
        messages: Object.fromEntries(
          messageNames.map((name) => [name, { $ref: `#/components/messages/${name}` }]),
        ),
      },
    },
    operations: operations(),
    components: {
      schemas: sortedByKey(publishedJsonSchemas('draft-7', schemaUri)),
      messages: messages(),
      securitySchemes: {
        queryToken: {
          type: 'httpApiKey',
          name: 'token',
          in: 'query',
          description:
            'The `token` of `POST /auth/login`, as `?token=` on the handshake. Without it: HTTP 401.',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The same token as an `Authorization: Bearer` header of the handshake.',
        },
      },
    },
  };
}
