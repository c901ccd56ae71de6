#!/usr/bin/env node
/**
 * `chat`: the command-line chat client (its commands are in lib/client/cli/). It speaks only the public
 * contract, through lib/client. Run it with `npm run chat -- <command>` or `node_modules/.bin/tsx bin/chat.ts`.
 */
import { guardProcess, processIo, runChat } from '../lib/client/cli/program.ts';

const io = processIo();
guardProcess(io);
process.exitCode = await runChat(process.argv, io);
// Everything is closed; should a handle linger (a paused terminal after the chat window), do not hang on it.
setTimeout(() => process.exit(), 1000).unref();
