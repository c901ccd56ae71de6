import { ASYNCAPI_DOCUMENT_PATH, buildAsyncApiDocument } from './asyncapi.ts';
import { buildOpenApiDocument, OPENAPI_DOCUMENT_PATH } from './openapi.ts';

/** Every generated document, by its path in the repository, as committed: two-space JSON, a final newline. */
export function renderedDocuments(): Record<string, string> {
  const render = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;
  return {
    [OPENAPI_DOCUMENT_PATH]: render(buildOpenApiDocument()),
    [ASYNCAPI_DOCUMENT_PATH]: render(buildAsyncApiDocument()),
  };
}
