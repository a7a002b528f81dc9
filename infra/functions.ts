/** Every Lambda function: its entry file. The CDK stack, the bundle check and the benchmarks read this list. */
import { API_FUNCTIONS } from '#shared/http/routes.ts';

export interface FunctionEntry {
  name: string;
  entry: string;
}

export const FUNCTION_ENTRIES: readonly FunctionEntry[] = [
  ...API_FUNCTIONS.map((fn) => ({ name: `api-${fn}`, entry: `functions/api/${fn}.ts` })),
  { name: 'cognito-post-confirmation', entry: 'functions/events/cognito-post-confirmation.ts' },
];

/** Packages that exist only for the embedded environment and must never be inside a Lambda bundle. */
export const STAND_IN_PACKAGES = [
  '@electric-sql/pglite',
  's3rver',
  'dynalite',
  '@ffmpeg-installer',
  '@ffprobe-installer',
  'aws-local-stepfunctions',
  'pg',
  'pg-pool',
];

/** esbuild options shared by the CDK function construct and the bundle check. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: true,
  treeShaking: true,
  metafile: true,
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); ESM bundles need it defined.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  external: ['@aws-sdk/*'],
} as const;
