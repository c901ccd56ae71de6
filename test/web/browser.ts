/**
 * What the browser tests share: Debian's Chromium driven by playwright-core, the local stack with the web
 * client served as `npm start` serves it (lib/local/web-client.ts) and allowed by the HTTP API's CORS, axe, and
 * screenshots in test-results/web/ (gitignored).
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LocalStack } from '../../lib/local/stack.ts';
import { startLocalWebClient } from '../../lib/local/web-client.ts';
import type { WebServer } from '../../lib/local/web-server.ts';
import { startTestStack, VOLUME_LIMITS } from '../support/local-stack.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOTS = join(repositoryRoot, 'test-results/web');

/** The `chromium` on PATH; the tests need it and say how to get it rather than skip. */
export function chromiumExecutable(): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, 'chromium');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  throw new Error(
    'The browser tests need Chromium: no `chromium` on PATH. Install it with `apt-get install chromium` (.ci/run does).',
  );
}

/**
 * Headless Chromium. Without the background-networking flags it keeps trying to reach Google's services, which
 * a closed network makes slow; the sandbox needs user namespaces that root in a container does not get.
 */
export function launchChromium(): Promise<Browser> {
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: chromiumExecutable(),
    args: [
      ...(asRoot ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WebStack {
  readonly stack: LocalStack;
  readonly web: WebServer;
  stop(): Promise<void>;
}

/** The local stack and the web client on free ports, the HTTP API allowing the web client's origin only. */
export async function startWebStack(): Promise<WebStack> {
  let stack: LocalStack | undefined;
  const web = await startLocalWebClient({
    host: '127.0.0.1',
    port: 0,
    config: () => ({ httpApiUrl: stack?.httpUrl ?? '', webSocketUrl: stack?.wsUrl ?? '' }),
  });
  // Volume limits: the history test posts more messages in a row than the default rate allows.
  stack = await startTestStack({ allowedOrigins: [web.url], limits: VOLUME_LIMITS });
  const started = stack;
  return {
    stack: started,
    web,
    stop: async () => {
      await web.close();
      await started.stop();
    },
  };
}

/** axe's WCAG 2 A and AA rules on the page as it is: no violation allowed (their summaries when there are). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const summary = results.violations.map(
    (violation) =>
      `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
  );
  expect(summary, `axe on ${screen}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
