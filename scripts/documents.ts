/**
 * `npm run documents`: writes the generated API documents (the OpenAPI document of the HTTP API and the
 * AsyncAPI document of the WebSocket API, both built from lib/contract) to docs/. `--check` writes nothing and
 * exits 1 when a committed document is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderedDocuments } from '../lib/documents/index.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const [path, content] of Object.entries(renderedDocuments())) {
  const target = new URL(`../${path}`, import.meta.url);
  if (!check) {
    writeFileSync(target, content);
    console.log(`Wrote ${path}.`);
    continue;
  }
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is out of date too.
  }
  if (committed !== content) {
    console.error(`${path} is out of date: run \`npm run documents\`.`);
    stale += 1;
  }
}
if (check && stale === 0) console.log('The generated documents are up to date.');
process.exit(stale > 0 ? 1 : 0);
