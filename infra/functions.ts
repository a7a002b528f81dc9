/** Every Lambda function: its entry file. The CDK stack, the bundle check and the benchmarks read this list. */
import { API_FUNCTIONS } from '#shared/http/routes.ts';
import { FILES_BESIDE_BUNDLE } from './files-beside-bundle.ts';

/** The state machine's Lambda tasks: their files and the definition placeholder each one fills. */
export const PIPELINE_TASKS = [
  { file: 'acquire-capacity', placeholder: 'AcquireCapacityFunctionArn' },
  { file: 'mark-processing', placeholder: 'MarkProcessingFunctionArn' },
  { file: 'start-generation', placeholder: 'StartGenerationFunctionArn' },
  { file: 'check-generation', placeholder: 'CheckGenerationFunctionArn' },
  { file: 'build-transcode-settings', placeholder: 'BuildTranscodeSettingsFunctionArn' },
  { file: 'register-clip', placeholder: 'RegisterClipFunctionArn' },
  { file: 'mark-failed', placeholder: 'MarkFailedFunctionArn' },
] as const;

export interface FunctionEntry {
  name: string;
  entry: string;
}

export const FUNCTION_ENTRIES: readonly FunctionEntry[] = [
  ...API_FUNCTIONS.map((fn) => ({ name: `api-${fn}`, entry: `functions/api/${fn}.ts` })),
  ...PIPELINE_TASKS.map((t) => ({ name: `pipeline-${t.file}`, entry: `functions/pipeline/${t.file}.ts` })),
  { name: 'cognito-post-confirmation', entry: 'functions/events/cognito-post-confirmation.ts' },
  { name: 'upload-trigger', entry: 'functions/events/upload-trigger.ts' },
  { name: 'upload-dead-letter', entry: 'functions/events/upload-dead-letter.ts' },
  { name: 'mediaconvert-state-change', entry: 'functions/events/mediaconvert-state-change.ts' },
  { name: 'execution-ended', entry: 'functions/events/execution-ended.ts' },
  { name: 'capacity-sweeper', entry: 'functions/events/capacity-sweeper.ts' },
  { name: 'model-output-created', entry: 'functions/events/model-output-created.ts' },
  { name: 'account-worker', entry: 'functions/events/account-worker.ts' },
  { name: 'audit-writer', entry: 'functions/events/audit-writer.ts' },
  { name: 'webhook-relay', entry: 'functions/events/webhook-relay.ts' },
  { name: 'webhook-sender', entry: 'functions/events/webhook-sender.ts' },
  { name: 'migrate', entry: 'functions/deploy/migrate.ts' },
];

/**
 * SDK packages a function carries in its own node_modules, installed from package-lock.json at synth,
 * instead of the runtime's copy. MediaConvert's Probe API (and the Rotation and Codec fields its answer is
 * read for) is newer than the SDK some runtime releases include, and an older client would fail the call
 * or drop those fields without a word. The package is loaded on the first probe, as before, so a cold
 * start's module initialisation does not change. Bundled inline instead, it made that function's
 * initialisation slower (about 30 ms in a hand-run comparison): the bundle then loaded node:child_process,
 * node:worker_threads and Node's internal undici at start. `infra/check-bundles.ts` checks each such asset after synth.
 */
export const PINNED_SDK: Readonly<Record<string, readonly string[]>> = {
  'functions/pipeline/build-transcode-settings.ts': ['@aws-sdk/client-mediaconvert'],
};

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

/**
 * The Node options of every function, as CDK deploys them and as the cold start bench runs them. No
 * --enable-source-maps: the map is written without a sourceMappingURL comment in the bundle (external), so
 * the flag never found it and traces named the bundle's lines anyway; pointing the bundle at its map would
 * make Node read and parse it (320–435 KB for an API function) at every cold start. `npm run stack` maps a
 * logged trace back with the map synth built.
 */
export const FUNCTION_NODE_OPTIONS: readonly string[] = [];

/** The NODE_OPTIONS variable of a function's environment: absent when there are no options. */
export const FUNCTION_NODE_ENV: Readonly<Record<string, string>> = FUNCTION_NODE_OPTIONS.length
  ? { NODE_OPTIONS: FUNCTION_NODE_OPTIONS.join(' ') }
  : {};

/** esbuild options shared by the CDK function construct and the bundle check. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  // The map is a build artefact for `npm run stack` (infra/stack-trace.ts): external, so the bundle does not
  // name it and Node never reads it (see FUNCTION_NODE_OPTIONS; CDK builds it with SourceMapMode.EXTERNAL).
  // Without the sources' text it is about a quarter of the size; the tool reads the sources from the checkout.
  sourcemap: 'external',
  sourcesContent: false,
  treeShaking: true,
  metafile: true,
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); ESM bundles need it defined.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // The Tracer, Powertools idempotency and the OpenAPI document's builder are files beside the bundle
  // (infra/files-beside-bundle.ts).
  external: ['@aws-sdk/*', ...FILES_BESIDE_BUNDLE.map((file) => file.module)],
} as const;
