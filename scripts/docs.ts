/**
 * `npm run docs`: rewrites the generated tables of README.md and docs/*.md from the code
 * (scripts/docs-tables.ts). `--check` writes nothing and exits 1 when a document is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { documentPaths, renderGeneratedSections } from './docs-tables.ts';

const root = new URL('../', import.meta.url);
const stale: string[] = [];
const check = process.argv.includes('--check');
for (const document of documentPaths(root)) {
  const file = new URL(document, root);
  const committed = readFileSync(file, 'utf8');
  const rendered = renderGeneratedSections(committed, document);
  if (rendered === committed) continue;
  stale.push(document);
  if (!check) writeFileSync(file, rendered);
}

if (check && stale.length > 0) {
  console.error(`Out of date: ${stale.join(', ')}. Run \`npx tsx scripts/docs.ts\`.`);
  process.exit(1);
}
console.log(
  stale.length === 0 ? 'The documents are up to date.' : `Rewrote the tables of ${stale.join(', ')}.`,
);
