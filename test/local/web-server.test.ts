/**
 * The local web server over real HTTP: the built files with their content types and revalidated caching,
 * `/config.json`, and nothing outside the directory however the path is spelled.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFor, startWebServer, type WebServer } from '../../lib/local/web-server.ts';

let parent: string;
let root: string;
let server: WebServer;
const config = { httpApiUrl: 'http://127.0.0.1:3000', webSocketUrl: 'ws://127.0.0.1:3001' };

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'chat-web-server-'));
  root = join(parent, 'site');
  await mkdir(join(root, 'nested'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
  await writeFile(join(root, 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'styles.css'), 'body{}');
  // A file next to the site, which no request may reach.
  await writeFile(join(parent, 'secret.txt'), 'do not serve');
  server = await startWebServer({ host: '127.0.0.1', port: 0, root, config: () => config });
});

afterAll(async () => {
  await server.close();
  await rm(parent, { recursive: true, force: true });
});

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the local web server', () => {
  it('serves the page, its script and stylesheet with their content types, revalidated', async () => {
    const page = await fetch(`${server.url}/`);
    const script = await fetch(`${server.url}/app.js`);
    const styles = await fetch(`${server.url}/styles.css?v=1`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>x</title>');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toContain(
      `connect-src 'self' ${config.httpApiUrl} ${config.webSocketUrl}`,
    );
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(styles.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 304 to a request with the current ETag', async () => {
    const first = await fetch(`${server.url}/app.js`);
    const etag = first.headers.get('etag') as string;

    const again = await fetch(`${server.url}/app.js`, { headers: { 'if-none-match': etag } });

    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(again.status).toBe(304);
  });

  it('serves /config.json with the APIs’ URLs, never cached', async () => {
    const response = await fetch(`${server.url}/config.json`);

    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(config);
  });

  it.each([
    '/../secret.txt',
    '/nested/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/nested/..%2F..%2Fsecret.txt',
    '/%2e%2e%5csecret.txt',
    '/app.js%00.html',
    '/%E0%A4%A',
  ])('refuses %s: nothing outside the directory is served', async (path) => {
    const response = await rawGet(path);

    expect(response.status).toBe(404);
    expect(response.body).not.toContain('do not serve');
  });

  it('serves no directory listing and nothing that is not a file', async () => {
    expect((await rawGet('/nested')).status).toBe(404);
    expect((await rawGet('/nested/')).status).toBe(404);
    expect((await rawGet('/missing.js')).status).toBe(404);
  });

  it('accepts GET and HEAD only', async () => {
    const post = await fetch(`${server.url}/index.html`, { method: 'POST', body: 'x' });
    const head = await fetch(`${server.url}/index.html`, { method: 'HEAD' });

    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(head.status).toBe(200);
  });

  it('maps paths inside the directory only', () => {
    expect(fileFor('/srv/site', '/')).toBe('/srv/site/index.html');
    expect(fileFor('/srv/site', '/nested/a.js')).toBe('/srv/site/nested/a.js');
    expect(fileFor('/srv/site', '/../site-other/a.js')).toBeUndefined();
    expect(fileFor('/srv/site', '/..')).toBeUndefined();
  });
});
