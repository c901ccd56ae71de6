/**
 * `npm run openapi`: writes the OpenAPI document of the HTTP API (lib/openapi.ts) to docs/openapi.json.
 * `--check` writes nothing and exits 1 when the committed file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { OPENAPI_DOCUMENT_PATH, renderOpenApiDocument } from '../lib/openapi.ts';

const target = new URL(`../${OPENAPI_DOCUMENT_PATH}`, import.meta.url);
const document = renderOpenApiDocument();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is out of date too.
  }
  if (committed !== document) {
    console.error(`${OPENAPI_DOCUMENT_PATH} is out of date: run \`npm run openapi\`.`);
    process.exit(1);
  }
  console.log(`${OPENAPI_DOCUMENT_PATH} is up to date.`);
} else {
  writeFileSync(target, document);
  console.log(`Wrote ${OPENAPI_DOCUMENT_PATH}.`);
}
