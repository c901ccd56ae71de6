/**
 * Clients of the HTTP API for tests: `apiClient`, a fetch wrapper with the fixtures built on it (users, rooms,
 * conversations, histories), and `rawRequest`, which sends a path byte for byte as given.
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import { expect } from 'vitest';
import { signUpWith, type User, uniqueRoomName } from './accounts.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the contract returns.
export type Json = any;

/** The content type of a JSON request body. */
export const JSON_BODY: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

export interface ApiResponse {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

/** The HTTP API at `baseUrl`: JSON in, status + JSON out, and the fixtures every test file needs. */
export function apiClient(baseUrl: string) {
  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...JSON_BODY };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  /** Calls `path` and fails the test unless it answers `status`; returns the body. */
  async function expectStatus(
    status: number,
    method: string,
    path: string,
    options: { token?: string; body?: unknown },
  ): Promise<Json> {
    const response = await call(method, path, options);
    expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(status);
    return response.body;
  }

  /** Calls a route by its key as lib/routes.ts writes it (`POST /auth/login`), with no path parameters. */
  function callRoute(
    routeKey: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<ApiResponse> {
    const [method, path] = routeKey.split(' ') as [string, string];
    return call(method, path, options);
  }

  /** Registers and logs in a fresh user. */
  const signUp = (prefix = 'user'): Promise<User> =>
    signUpWith((routeKey, body) => callRoute(routeKey, { body }), prefix);

  const requestConversation = (user: Pick<User, 'token'>, peer: unknown) =>
    call('POST', '/conversations', { token: user.token, body: { peer } });

  return {
    call,
    callRoute,

    signUp,

    /** Signs up one fresh user per prefix, at once; returns them in the order of the prefixes. */
    signUpEach(...prefixes: string[]): Promise<User[]> {
      return Promise.all(prefixes.map((prefix) => signUp(prefix)));
    },

    /** Creates a room with a unique name; returns the name. */
    async newRoom(owner: Pick<User, 'token'>, prefix = 'room'): Promise<string> {
      const name = uniqueRoomName(prefix);
      await expectStatus(201, 'POST', '/rooms', { token: owner.token, body: { name } });
      return name;
    },

    /** `POST /conversations` with `peer`, whatever it answers. */
    requestConversation,

    /** Opens (or finds) the conversation between `user` and `peer`; returns it. */
    async openConversation(user: Pick<User, 'token'>, peer: string): Promise<Json> {
      const response = await requestConversation(user, peer);
      expect([200, 201], JSON.stringify(response.body)).toContain(response.status);
      return response.body.conversation;
    },

    /** The first page of `user`'s conversations: `{conversations, nextCursor}`. */
    listConversations(user: Pick<User, 'token'>): Promise<Json> {
      return expectStatus(200, 'GET', '/conversations', { token: user.token });
    },

    /** The newest page of a room's history, as `reader` sees it. */
    async roomHistory(room: string, reader: Pick<User, 'token'>): Promise<Json[]> {
      return (await expectStatus(200, 'GET', `/rooms/${room}/messages`, { token: reader.token })).messages;
    },

    /** The newest page of a conversation's history, as `reader` sees it. */
    async conversationHistory(conversationId: string, reader: Pick<User, 'token'>): Promise<Json[]> {
      const path = `/conversations/${conversationId}/messages`;
      return (await expectStatus(200, 'GET', path, { token: reader.token })).messages;
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly contentType: string | undefined;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly body: Json;
}

/**
 * One HTTP request with the path sent byte for byte as given (fetch would normalise `..` and re-encode), any
 * headers, and a raw body. Fails only when no response arrives within `timeoutMs`.
 */
export function rawRequest(
  baseUrl: string,
  options: {
    method: string;
    path: string;
    /** Sent as `Authorization: Bearer <token>`. */
    token?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
    /**
     * The address the request is sent from, so that the gateway sees another client: any of 127.0.0.0/8 on
     * Linux (other systems give the loopback interface 127.0.0.1 only).
     */
    localAddress?: string;
  },
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  const timeoutMs = options.timeoutMs ?? 25_000;
  const headers: Record<string, string | number> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  // node frames a body by chunked encoding only for the methods that usually have one; a DELETE's body would
  // otherwise go unframed and be read by the server as the next request.
  const framed = ['POST', 'PUT', 'PATCH'].includes(options.method.toUpperCase());
  if (options.body !== undefined && !framed && headers['content-length'] === undefined) {
    headers['content-length'] = Buffer.byteLength(options.body);
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: options.method,
        path: options.path,
        headers,
        timeout: timeoutMs,
        localAddress: options.localAddress,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Json;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            contentType: response.headers['content-type'],
            text,
            body,
          });
        });
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
