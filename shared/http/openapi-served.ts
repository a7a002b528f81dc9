/**
 * The document GET /v1/openapi.json answers: built by the first request from openapi-document.mjs (a file
 * beside the api-system bundle) and kept while the function lives. A failed load is tried again by the
 * next request.
 */
let document: Promise<object> | undefined;

export function servedOpenApiDocument(): Promise<object> {
  document ??= import('./openapi-document.mjs')
    .then((m) => m.openApiDocument())
    .catch((error: unknown) => {
      document = undefined;
      throw error;
    });
  return document;
}
