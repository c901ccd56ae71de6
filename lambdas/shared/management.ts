import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { limits } from '../../lib/contract/index.ts';
import { webSocketCallbackUrl } from './config.ts';

/** Sends one frame to one connection; the management API client behind it is built once per container. */
export interface ConnectionPoster {
  post(connectionId: string, frame: string): Promise<void>;
}

/**
 * Closes connections from the server's side (`DELETE @connections/{id}`); API Gateway then runs `$disconnect`.
 * Answers `'gone'` when API Gateway does not know the connection as open: already closed, or not open yet (its
 * `$connect` is still running).
 */
export interface ConnectionCloser {
  close(connectionId: string): Promise<'closed' | 'gone'>;
}

/**
 * Posts frames through the management API of the stage named by `WEBSOCKET_CALLBACK_URL` (the stage's
 * callback URL on AWS, the emulator's locally). The SDK's own retries are off: fan-out retries throttling
 * itself, with backoff and jitter, and must see GoneException at once.
 */
export function managementApiPoster(): ConnectionPoster {
  return managementApi(1);
}

/**
 * Closes connections through the management API (the functions that end sessions). Unlike posts, closes keep
 * the SDK's retries: nothing else retries them, and a socket of an ended session must not stay open.
 */
export function managementApiCloser(): ConnectionCloser {
  return managementApi(3);
}

function managementApi(maxAttempts: number): ConnectionPoster & ConnectionCloser {
  const client = new ApiGatewayManagementApiClient({
    endpoint: webSocketCallbackUrl(),
    maxAttempts,
    // Both SDK timers start when a request is created, so time spent waiting for one of the agent's sockets
    // during a large fan-out counts against them: a 1 s connection timeout, or any request timeout, dropped
    // posts under load that would have gone through. A post that truly hangs ends with the function's timeout.
    requestHandler: { connectionTimeout: 5_000 },
  });
  return {
    async post(connectionId, frame) {
      if (Buffer.byteLength(frame) > limits.maxFrameBytes) {
        throw Object.assign(new Error('Frame over the 128 KB WebSocket limit'), {
          name: 'PayloadTooLargeException',
        });
      }
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: frame }));
    },
    async close(connectionId) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
        return 'closed';
      } catch (error) {
        if ((error as { name?: unknown })?.name !== 'GoneException') throw error;
        return 'gone';
      }
    },
  };
}
