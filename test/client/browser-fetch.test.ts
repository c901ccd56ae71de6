/**
 * A browser's `fetch` throws "Illegal invocation" when called with any `this` but the global object (or none);
 * Node's does not care, so only this stand-in, which checks as a browser does, can catch a client calling it as
 * a method of something else. (test/web runs the real thing in Chromium.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the client on a browser-like fetch', () => {
  it('calls the global fetch on the global object', async () => {
    const calls: unknown[] = [];
    vi.stubGlobal('fetch', function (this: unknown, input: string) {
      if (this !== undefined && this !== globalThis)
        throw new TypeError("Failed to execute 'fetch': Illegal invocation");
      calls.push(input);
      return Promise.resolve(
        new Response(JSON.stringify({ rooms: [], nextCursor: null }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
      );
    });

    const page = await new ChatApi({ baseUrl: 'http://api.example', token: 'x' }).listRooms();

    expect(page.items).toEqual([]);
    expect(calls.map((url) => String(url).split('?')[0])).toEqual(['http://api.example/rooms']);
  });
});
