/**
 * The web client as `npm start` (and the browser tests) serve it: built into a temporary directory, served on
 * its own origin with a `/config.json` naming the local APIs, and the directory removed when it stops.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebClient } from '../../web/build.ts';
import { startWebServer, type WebClientConfig, type WebServer } from './web-server.ts';

export interface LocalWebClientOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The APIs' URLs, read per request: they may start after the web client (their CORS needs its origin). */
  readonly config: () => WebClientConfig;
}

/** Builds the web client and serves it; `close` stops serving and removes the build. */
export async function startLocalWebClient(options: LocalWebClientOptions): Promise<WebServer> {
  const root = await mkdtemp(join(tmpdir(), 'chat-web-'));
  try {
    await buildWebClient(root);
    const server = await startWebServer({ ...options, root });
    return {
      url: server.url,
      close: async () => {
        await server.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The HTTP API's default CORS origins: the web client's own origin under both local names, so that it works
 * whether the browser opens `localhost` or `127.0.0.1`.
 */
export function defaultAllowedOrigins(webPort: number): string[] {
  return [`http://localhost:${webPort}`, `http://127.0.0.1:${webPort}`];
}
