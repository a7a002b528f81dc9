/**
 * The OpenAPI document's builder, with every schema it describes and zod's JSON Schema writer. In the
 * api-system function this is a file beside the bundle (infra/files-beside-bundle.ts), loaded by the first
 * GET /v1/openapi.json, so the function's other routes do not compile it at each cold start; elsewhere it
 * is this module.
 */
export { openApiDocument } from './openapi.ts';
