/**
 * Reading a password: a prompt without echo on a terminal, else the first line of standard input (so that
 * scripts can pipe it in, and it never appears in the process list).
 */
import { createInterface } from 'node:readline';
import { ChatClientError } from '../errors.ts';
import type { CliIo } from './context.ts';

/** The password; with `confirm`, a terminal user types it twice and a mismatch changes nothing. */
export async function readPassword(
  io: CliIo,
  options: { readonly fromStdin: boolean; readonly confirm: boolean },
): Promise<string> {
  if (options.fromStdin || !io.stdin.isTTY) {
    const line = await readFirstLine(io.stdin);
    if (line === undefined || line === '') {
      throw new ChatClientError('NO_PASSWORD', 'Expected the password on the first line of standard input.');
    }
    return line;
  }
  // Loaded only when needed: most commands never prompt.
  const { default: password } = await import('@inquirer/password');
  const streams = { input: io.stdin, output: io.stdout };
  const first = await password({ message: 'Password:' }, streams);
  if (options.confirm && (await password({ message: 'Repeat the password:' }, streams)) !== first) {
    throw new ChatClientError('PASSWORD_MISMATCH', 'The two passwords differ; nothing was changed.');
  }
  return first;
}

function readFirstLine(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stream, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      resolve(line.replace(/\r$/, ''));
      rl.close();
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
    stream.once('error', reject);
  });
}
