/**
 * Serves the built web client (web/build.ts) on its own origin, as CloudFront does on AWS: its static files
 * with their content types and revalidated caching, plus `/config.json`, which tells the page where the APIs
 * are. Only files inside the directory are served (no traversal, no listing), and only with GET and HEAD.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { hostForUrl, listen } from './lambda-context.ts';

/** `/config.json`: the same shape the CDK stack writes at deploy. */
export interface WebClientConfig {
  readonly httpApiUrl: string;
  readonly webSocketUrl: string;
}

export interface WebServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The directory the web client was built into. */
  readonly root: string;
  /** Read for each request: the APIs may start after this server (their CORS needs its origin). */
  readonly config: () => WebClientConfig;
}

export interface WebServer {
  /** `http://host:port`: the web client's origin. */
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The file a request path names, or undefined when it is not one inside `root` (`..`, encoded or not). */
export function fileFor(root: string, rawPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\') || !path.startsWith('/')) return undefined;
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
  return file.startsWith(root + sep) ? file : undefined;
}

function securityHeaders(config: WebClientConfig): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': [
      "default-src 'self'",
      `connect-src 'self' ${config.httpApiUrl} ${config.webSocketUrl}`,
      "img-src 'self' data:",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ].join('; '),
  };
}

/** Starts serving `root`; resolves once listening. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const root = resolve(options.root);

  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const config = options.config();
    for (const [name, value] of Object.entries(securityHeaders(config))) response.setHeader(name, value);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      response.end('Method Not Allowed');
      return;
    }
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/config.json') {
      // Never cached: it changes whenever the APIs move (another port, another deployment).
      response.writeHead(200, { 'content-type': CONTENT_TYPES['.json'], 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : JSON.stringify(config));
      return;
    }
    const file = fileFor(root, path);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || info === undefined || !info.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Not Found');
      return;
    }
    const body = await readFile(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    // The files keep their names from build to build: a browser may keep them, but asks each time (304).
    const headers = {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      etag,
    };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    response.writeHead(200, { ...headers, 'content-length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((request, response) => {
    respond(request, response).catch((error: unknown) => {
      console.error('local web server: request failed', error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const port = await listen(server, options.port, options.host);
  return {
    url: `http://${hostForUrl(options.host)}:${port}`,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((error) => (error ? reject(error) : resolveClose()));
        server.closeIdleConnections();
      }),
  };
}
