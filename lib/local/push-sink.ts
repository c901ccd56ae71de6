/**
 * The local stack's push sink: where the notifier's `local` provider (lambdas/domain/push-providers.ts) posts
 * each push instead of sending it to Amazon SNS. `GET /_local/pushes` on the local HTTP port lists them, newest
 * last (docs/PROTOCOL.md, "Push notifications"); `npm start` prints each one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { pushPayload, pushPlatforms } from '../contract/index.ts';

export const PUSH_SINK_PATH = '/_local/pushes';
/** The oldest pushes are forgotten beyond this many, so that a long `npm start` does not grow without end. */
const KEPT = 1000;

const postedPush = z.object({
  deviceId: z.string(),
  username: z.string(),
  platform: z.enum(pushPlatforms),
  payload: pushPayload,
});

export type LocalPush = z.infer<typeof postedPush> & { readonly sentAt: string };

export interface PushSink {
  /** What was sent, oldest first. */
  readonly pushes: readonly LocalPush[];
  /** Serves `GET` and `POST /_local/pushes`; resolves false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

export function createPushSink(onPush: (push: LocalPush) => void = () => {}): PushSink {
  const pushes: LocalPush[] = [];
  const answer = (response: ServerResponse, status: number, body?: unknown) => {
    response.statusCode = status;
    if (body !== undefined) response.setHeader('content-type', 'application/json');
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };
  return {
    pushes,
    async handle(request, response) {
      if ((request.url ?? '/').split('?')[0] !== PUSH_SINK_PATH) return false;
      if (request.method === 'GET') {
        answer(response, 200, pushes);
      } else if (request.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        let parsed: ReturnType<typeof postedPush.safeParse> | undefined;
        try {
          parsed = postedPush.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          parsed = undefined;
        }
        if (parsed?.success !== true) {
          answer(response, 400, { message: 'Not a push' });
          return true;
        }
        const push = { ...parsed.data, sentAt: new Date().toISOString() };
        pushes.push(push);
        if (pushes.length > KEPT) pushes.shift();
        onPush(push);
        answer(response, 204);
      } else {
        request.resume();
        response.setHeader('allow', 'GET, POST');
        answer(response, 405, { message: 'Method Not Allowed' });
      }
      return true;
    },
  };
}
