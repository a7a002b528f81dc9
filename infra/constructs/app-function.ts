/**
 * Every Lambda function of the app, with the house defaults: Node 24 on arm64, an ESM bundle built by the
 * same esbuild options the bundle check uses (its source map beside it for `npm run stack`, not read at
 * run time), X-Ray tracing (the Tracer in a file beside the bundle; Powertools idempotency and the OpenAPI
 * document's builder likewise where a route uses them: infra/files-beside-bundle.ts), JSON logs in a log
 * group with the stage's retention.
 */
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { besideBundleCommand, FILES_BESIDE_BUNDLE } from '../files-beside-bundle.ts';
import { BUNDLE_OPTIONS, FUNCTION_NODE_ENV, PINNED_SDK } from '../functions.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface AppFunctionProps {
  config: StageConfig;
  /** Entry file relative to the project root. */
  entry: string;
  environment?: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  description?: string;
  /** Extra files the bundle needs beside its entry (copied after bundling). */
  copyIntoBundle?: { from: string; to: string };
}

export class AppFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.config.logRetentionDays,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const copy = props.copyIntoBundle;
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      ...(props.description ? { description: props.description } : {}),
      environment: {
        ...FUNCTION_NODE_ENV,
        POWERTOOLS_SERVICE_NAME: 'ai-video',
        // Traces keep timings, annotations and errors; responses hold user data (prompts, signed links).
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        STAGE: props.config.stage,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_OPTIONS.target,
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: BUNDLE_OPTIONS.sourcesContent,
        metafile: true,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner.js,
        externalModules: [...BUNDLE_OPTIONS.external],
        ...(PINNED_SDK[props.entry] ? { nodeModules: [...(PINNED_SDK[props.entry] ?? [])] } : {}),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            ...FILES_BESIDE_BUNDLE.map((file) => besideBundleCommand(file, inputDir, outputDir)),
            ...(copy ? [`cp -r "${path.join(inputDir, copy.from)}" "${path.join(outputDir, copy.to)}"`] : []),
          ],
        },
      },
    });
  }
}
