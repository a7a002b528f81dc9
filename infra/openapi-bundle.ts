/**
 * The OpenAPI document's builder (shared/http/openapi.ts, with the schemas of every route and zod's JSON
 * Schema writer) is a file beside the api-system bundle (infra/file-beside-bundle.ts): only the first
 * GET /v1/openapi.json imports it (shared/http/openapi-served.ts), and the function's other routes (models,
 * health) no longer compile it at each cold start.
 */
import { besideBundleCommand, besideOptions, type FileBesideBundle, fileName } from './file-beside-bundle.ts';

const OPENAPI: FileBesideBundle = {
  module: './openapi-document.mjs',
  entry: 'shared/http/openapi-document.mjs',
  options: besideOptions('esm'),
  onlyWhereImported: true,
};

export const OPENAPI_MODULE = OPENAPI.module;
export const OPENAPI_ENTRY = OPENAPI.entry;
export const OPENAPI_FILE = fileName(OPENAPI);
export const OPENAPI_BUNDLE_OPTIONS = OPENAPI.options;

/** The shell command (CDK's afterBundling hook) that writes the file beside the bundle that imports it. */
export const openApiBundleCommand = (inputDir: string, outputDir: string) =>
  besideBundleCommand(OPENAPI, inputDir, outputDir);
