/**
 * The console's typed client types, generated from the OpenAPI document with openapi-typescript.
 * `npx tsx infra/console/api-types.ts` rewrites console/src/api-types.ts; a unit test fails when the
 * committed file differs from what the document generates now.
 */
import { writeFile } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '#shared/http/openapi.ts';

export const API_TYPES_FILE = fileURLToPath(new URL('../../console/src/api-types.ts', import.meta.url));

// openapi-typescript prints with the TypeScript 5 compiler API, which TypeScript 7 (the project's tsc) no
// longer ships; `typescript5` is TypeScript 5 installed under another name, handed to it alone.
const TYPESCRIPT5_HOOK = `
export async function resolve(specifier, context, next) {
  if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/openapi-typescript/'))
    return next('typescript5', context);
  return next(specifier, context);
}`;
let hooked = false;

export async function generateApiTypes(): Promise<string> {
  if (!hooked) {
    register(`data:text/javascript,${encodeURIComponent(TYPESCRIPT5_HOOK)}`, import.meta.url);
    hooked = true;
  }
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(openApiDocument() as never, { alphabetize: true });
  return `/**\n * Generated from the OpenAPI document by infra/console/api-types.ts; do not edit.\n */\n${astToString(ast)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(API_TYPES_FILE, await generateApiTypes());
  console.log(`wrote ${path.relative(process.cwd(), API_TYPES_FILE)}`);
}
