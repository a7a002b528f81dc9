/**
 * Powertools Tracer and the X-Ray SDK (about 135 KB minified) are a file beside each function's bundle
 * (infra/file-beside-bundle.ts): shared/observability/tracing.ts imports them on the first invocation X-Ray
 * samples, so a bundle that held them would pay for parsing them at every cold start, traced or not.
 */
import { besideBundleCommand, besideOptions, type FileBesideBundle, fileName } from './file-beside-bundle.ts';

const TRACER: FileBesideBundle = {
  module: './powertools-tracer.cjs',
  entry: 'shared/observability/powertools-tracer.cjs',
  // CommonJS, so it requires `node:http` (see powertools-tracer.cjs).
  options: besideOptions('cjs'),
  onlyWhereImported: false,
};

export const TRACER_MODULE = TRACER.module;
export const TRACER_ENTRY = TRACER.entry;
export const TRACER_FILE = fileName(TRACER);
export const TRACER_BUNDLE_OPTIONS = TRACER.options;

/** The shell command that writes the tracer file into a bundle's folder (CDK's afterBundling hook). */
export const tracerBundleCommand = (inputDir: string, outputDir: string) =>
  besideBundleCommand(TRACER, inputDir, outputDir);
