/**
 * The context values read by lib/app-context.ts that need no synthesis to check: the browser origins allowed by
 * CORS (`allowedOrigins`) and the web client (`webClient`), whose build is a stand-in here: the real one
 * (web/build.ts) is tested with the web client.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackPropsFromContext, webClientFromContext } from '../../lib/app-context.ts';
import { HTTP_STAGE_THROTTLE } from '../../lib/constructs/http-api.ts';
import { WEBSOCKET_STAGE_THROTTLE } from '../../lib/constructs/websocket-api.ts';
import { AUTH_THROTTLE } from '../../lib/routes.ts';

function propsOf(context: Record<string, string>) {
  return stackPropsFromContext((name) => context[name], {
    http: HTTP_STAGE_THROTTLE,
    webSocket: WEBSOCKET_STAGE_THROTTLE,
    auth: AUTH_THROTTLE,
  });
}

describe('the allowedOrigins context value', () => {
  it('allows no origin when not given', () => {
    expect(propsOf({}).allowedOrigins).toEqual([]);
  });

  it('reads comma-separated https origins and http://localhost, with ports, trimmed and once each', () => {
    const { allowedOrigins } = propsOf({
      allowedOrigins:
        'https://chat.example.com, https://staging.chat.example.com:8443,http://localhost:3002,http://localhost,https://chat.example.com',
    });

    expect(allowedOrigins).toEqual([
      'https://chat.example.com',
      'https://staging.chat.example.com:8443',
      'http://localhost:3002',
      'http://localhost',
    ]);
  });

  it.each([
    ['http on another host', 'http://chat.example.com'],
    ['a wildcard', '*'],
    ['a wildcard host', 'https://*.example.com'],
    ['a trailing slash', 'https://chat.example.com/'],
    ['a path', 'https://chat.example.com/app'],
    ['upper case', 'https://Chat.example.com'],
    ['a port out of range', 'http://localhost:70000'],
    ['port zero', 'http://localhost:0'],
    ['an empty entry', 'https://chat.example.com,'],
    ['a bare host', 'chat.example.com'],
    ['credentials', 'https://user@chat.example.com'],
  ])('refuses %s by name', (_name, value) => {
    expect(() => propsOf({ allowedOrigins: value })).toThrow(
      `Context "allowedOrigins" must be comma-separated origins, each https://host[:port] or http://localhost[:port] (got "${value}").`,
    );
  });
});

describe('the webClient context value', () => {
  const builds: string[] = [];
  /** Writes an index.html where the web client's build would write the bundle. */
  const build = async (outdir: string) => {
    builds.push(outdir);
    writeFileSync(join(outdir, 'index.html'), '<!doctype html><title>chat</title>');
  };

  it('builds nothing and adds no web client when absent or "false"', async () => {
    expect(await webClientFromContext(() => undefined, build)).toBeUndefined();
    expect(
      await webClientFromContext((name) => (name === 'webClient' ? 'false' : undefined), build),
    ).toBeUndefined();
    expect(builds).toEqual([]);
  });

  it('builds the web client into a new directory and gives that to the stack when "true"', async () => {
    const webClient = await webClientFromContext(
      (name) => (name === 'webClient' ? 'true' : undefined),
      build,
    );

    try {
      expect(builds).toEqual([webClient?.assetsDirectory]);
      expect(readFileSync(join(webClient?.assetsDirectory ?? '', 'index.html'), 'utf8')).toContain(
        '<title>chat',
      );
    } finally {
      if (webClient) rmSync(webClient.assetsDirectory, { recursive: true, force: true });
    }
  });

  it('refuses another value by name', async () => {
    await expect(webClientFromContext(() => 'yes', build)).rejects.toThrow(
      'Context "webClient" must be "true" or "false" (got "yes").',
    );
  });
});
