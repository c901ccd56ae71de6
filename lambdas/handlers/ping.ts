import { socketActionNames } from '../../lib/contract/index.ts';
import { SocketError } from '../shared/errors.ts';
import { managementApiPoster } from '../shared/management.ts';
import { webSocketHandler } from '../shared/websocket.ts';

const poster = managementApiPoster();

export const handler = webSocketHandler(
  'ping',
  {
    ping: async ({ connectionId }) => poster.post(connectionId, JSON.stringify({ type: 'pong' })),
    $default: async ({ frame }) => {
      if (typeof frame.action !== 'string') {
        throw new SocketError('INVALID_MESSAGE', 'Frames must be JSON objects with an "action".');
      }
      throw new SocketError('UNKNOWN_ACTION', `Unknown action. Use ${socketActionNames.join(', ')}.`);
    },
  },
  poster,
);
