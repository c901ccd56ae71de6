#!/usr/bin/env node
// `chat` on the PATH (npm link): runs bin/chat.ts through tsx's loader in this same process.
import { register } from 'tsx/esm/api';

register();
await import('./chat.ts');
