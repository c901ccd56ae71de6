/**
 * The client library as its own package (lib/client/package.json, scripts/build-client.ts): built into a
 * temporary directory, installed into a throwaway project, it imports in Node with nothing else installed (no
 * zod, no ws: neither is loaded at import), exports the library's API, and its declarations type-check a
 * consumer's code (with zod, which they name) and reject a wrong call.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientPackage } from '../../scripts/build-client.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'chat-client-package-'));
const built = join(work, 'dist');
const project = join(work, 'project');
const installed = join(project, 'node_modules', '@serverless-chat', 'client');

interface Manifest {
  name: string;
  type: string;
  sideEffects: boolean;
  exports: { '.': { types: string; default: string } };
  engines: { node: string };
  dependencies?: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional: boolean }>;
}
let manifest: Manifest;

/** Type-checks the consumer's main.ts with the TypeScript of this repository; the compiler's output. */
async function typeCheck(source: string): Promise<string> {
  writeFileSync(join(project, 'main.ts'), source);
  try {
    await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project]);
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

const CONSUMER = `import { ChatApi, ChatSession, type Message, type User } from '@serverless-chat/client';

const api = new ChatApi({ baseUrl: 'https://api.example.com' });
export async function hello(): Promise<User> {
  const alice = api.withLogin(await api.login('alice', 'correct horse battery staple'));
  const session = await ChatSession.connect({ url: 'wss://ws.example.com/prod', auth: alice });
  session.on('message', (message: Message) => console.log(message.text));
  return alice.me();
}
`;

beforeAll(async () => {
  await buildClientPackage(built);
  manifest = JSON.parse(readFileSync(join(built, 'package.json'), 'utf8')) as Manifest;
  mkdirSync(installed, { recursive: true });
  cpSync(built, installed, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        lib: ['es2022', 'dom'],
        types: [],
        skipLibCheck: false,
      },
      files: ['main.ts'],
    }),
  );
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the client package', () => {
  it('is an ES module package without side effects, for Node 20 or later, with ws as an optional peer', () => {
    expect(manifest).toMatchObject({
      name: '@serverless-chat/client',
      type: 'module',
      sideEffects: false,
      exports: { '.': { types: './types/client/index.d.ts', default: './index.js' } },
      engines: { node: '>=20' },
      peerDependencies: { ws: expect.any(String) },
      peerDependenciesMeta: { ws: { optional: true } },
    });
    // zod only for the declarations (the contract's types are inferred from its schemas); nothing else.
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['zod']);
  });

  it('has the entry, the declarations its exports name and its README', () => {
    for (const file of [manifest.exports['.'].default, manifest.exports['.'].types, 'README.md']) {
      expect(existsSync(join(built, file))).toBe(true);
    }
    expect(readFileSync(join(built, manifest.exports['.'].types), 'utf8')).toContain(
      "export * from './session.ts'",
    );
  });

  it('imports in Node from a project where nothing else is installed, with the library’s exports', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import('@serverless-chat/client');
         console.log(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))));`,
      ],
      { cwd: project },
    );
    const exported = JSON.parse(stdout) as Record<string, string>;

    expect(exported).toMatchObject({
      ChatApi: 'function',
      ChatSession: 'function',
      ApiError: 'function',
      HandshakeError: 'function',
      UnreachableError: 'function',
      TimeoutError: 'function',
      newClientMessageId: 'function',
    });
    const index = readFileSync(join(built, 'index.js'), 'utf8');
    expect(index).not.toMatch(/from\s*["'](zod|ws|node:)/);
  });

  it('type-checks a consumer’s code against its declarations, and refuses a wrong call', async () => {
    symlinkSync(join(root, 'node_modules', 'zod'), join(project, 'node_modules', 'zod'), 'dir');

    expect(await typeCheck(CONSUMER)).toBe('');
    expect(await typeCheck(CONSUMER.replace('alice.me()', 'alice.me(42)'))).toContain('error TS2554');
  }, 30_000);
});
