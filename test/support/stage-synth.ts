/**
 * A stage's app as `cdk synth` builds it, with bundling skipped (the bundle tests build every function),
 * and its stacks' templates. Each stage is synthesized once per test process: the infra files that only
 * read the templates share a process (vitest.config.ts), and each synthesis took them a few seconds.
 * Tests that add to a stack build their own app.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '#infra/app.ts';

function synth(stage: string) {
  const app = new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp(app);
  return {
    built,
    /** The cloud assembly's folder (the assets' files). */
    outdir: app.outdir,
    data: Template.fromStack(built.data),
    compute: Template.fromStack(built.compute),
    modelOutputs: built.modelOutputs.map((s) => Template.fromStack(s)),
  };
}

const synthesized = new Map<string, ReturnType<typeof synth>>();

export function synthesizedStage(stage: string): ReturnType<typeof synth> {
  let stageSynth = synthesized.get(stage);
  if (!stageSynth) {
    stageSynth = synth(stage);
    synthesized.set(stage, stageSynth);
  }
  return stageSynth;
}
