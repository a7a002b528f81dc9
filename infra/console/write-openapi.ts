/** Writes the OpenAPI document to the file named on the command line (for `npm run lint:openapi`). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openApiDocument } from '#shared/http/openapi.ts';

const file = process.argv[2] ?? 'cdk.out/openapi.json';
await mkdir(path.dirname(file), { recursive: true });
await writeFile(file, JSON.stringify(openApiDocument(), null, 2));
