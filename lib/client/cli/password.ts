/**
 * Reading passwords: prompts without echo on a terminal, else lines of standard input, one password a line
 * (so that scripts can pipe them in, and they never appear in the process list).
 */
import { createInterface } from 'node:readline';
import { ChatClientError } from '../errors.ts';
import type { CliIo } from './context.ts';

/** One password to ask for: the prompt, what it is called in an error, and whether it is typed twice. */
export interface PasswordPrompt {
  readonly message: string;
  readonly name: string;
  /** On a terminal only: a pipe gives each password once, as `register` and `login` always did. */
  readonly confirm: boolean;
}

/** The password; with `confirm`, a terminal user types it twice and a mismatch changes nothing. */
export async function readPassword(
  io: CliIo,
  options: { readonly fromStdin: boolean; readonly confirm: boolean },
): Promise<string> {
  const [password] = await readPasswords(io, options.fromStdin, [
    { message: 'Password:', name: 'the password', confirm: options.confirm },
  ]);
  return password as string;
}

/**
 * The passwords of `prompts`, in order: prompted on a terminal, else one a line of standard input (line 1 the
 * first prompt's, and so on). A missing line or a mismatch fails before anything is sent.
 */
export async function readPasswords(
  io: CliIo,
  fromStdin: boolean,
  prompts: readonly PasswordPrompt[],
): Promise<string[]> {
  if (fromStdin || !io.stdin.isTTY) {
    const lines = await readLines(io.stdin, prompts.length);
    return prompts.map((prompt, index) => {
      const line = lines[index];
      if (line === undefined || line === '') {
        const where = prompts.length === 1 ? 'the first line' : `line ${index + 1}`;
        throw new ChatClientError('NO_PASSWORD', `Expected ${prompt.name} on ${where} of standard input.`);
      }
      return line;
    });
  }
  // Loaded only when needed: most commands never prompt.
  const { default: password } = await import('@inquirer/password');
  const streams = { input: io.stdin, output: io.stdout };
  const answers: string[] = [];
  for (const prompt of prompts) {
    const first = await password({ message: prompt.message }, streams);
    if (prompt.confirm && (await password({ message: `Repeat ${prompt.name}:` }, streams)) !== first) {
      throw new ChatClientError('PASSWORD_MISMATCH', 'The two passwords differ; nothing was changed.');
    }
    answers.push(first);
  }
  return answers;
}

/** Up to `count` lines of `stream` (fewer when it ends first), without their line ends. */
export function readLines(stream: NodeJS.ReadableStream, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stream, terminal: false });
    const lines: string[] = [];
    rl.on('line', (line) => {
      if (lines.length < count) lines.push(line.replace(/\r$/, ''));
      if (lines.length === count) rl.close();
    });
    rl.once('close', () => resolve(lines));
    stream.once('error', reject);
  });
}
