/** The stage's objectives, alarms, dashboard and tracing as synthesized (prod: the strictest thresholds). */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGE_CONFIG, STAGES } from '#infra/config.ts';
import { JOB_TYPES } from '#shared/jobs/status.ts';
import { METRIC } from '#shared/observability/metrics.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';

interface AlarmProps {
  AlarmDescription: string;
  Threshold: number;
  MetricName?: string;
  Dimensions?: { Name: string; Value: string }[];
  Metrics?: {
    Id: string;
    Expression?: string;
    ReturnData?: boolean;
    MetricStat?: {
      Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
      Stat: string;
      Period: number;
    };
  }[];
}

let compute: Template;
let alarms: AlarmProps[];

beforeAll(() => {
  compute = synthesizedStage('prod').compute;
  alarms = Object.values(compute.findResources('AWS::CloudWatch::Alarm')).map(
    (a) => a.Properties as AlarmProps,
  );
});

const slo = STAGE_CONFIG.prod.slo;
const returned = (alarm: AlarmProps) => alarm.Metrics?.find((m) => m.ReturnData !== false);
const stats = (alarm: AlarmProps) =>
  (alarm.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat] : []));

describe('service-level objectives', () => {
  it('alarms on the job success burn rate: 14.4× over an hour and 6× over six hours', () => {
    const burn = alarms.filter((a) => a.AlarmDescription.includes('success objective'));
    expect(burn.map((a) => [a.Threshold, stats(a)[0]?.Period]).sort()).toEqual([
      [14.4, 3600],
      [6, 21600],
    ]);
    for (const alarm of burn) {
      // Only system failures spend the budget, against every ended job (completed and failed of any class).
      expect(returned(alarm)?.Expression).toBe(
        `IF(ended >= ${slo.minJobs}, FILL(sys, 0) / ended / 0.005, 0)`,
      );
      const counted = stats(alarm).map((s) => [
        s.Metric.MetricName,
        s.Metric.Dimensions.find((d) => d.Name === 'failureClass')?.Value ?? null,
        s.Stat,
      ]);
      expect(counted).toEqual(
        expect.arrayContaining([
          [METRIC.jobsCompleted, null, 'Sum'],
          [METRIC.jobsFailed, 'user', 'Sum'],
          [METRIC.jobsFailed, 'model', 'Sum'],
          [METRIC.jobsFailed, 'system', 'Sum'],
        ]),
      );
      for (const s of stats(alarm)) {
        expect(s.Metric.Dimensions).toEqual(
          expect.arrayContaining([
            { Name: 'service', Value: 'ai-video' },
            { Name: 'stage', Value: 'prod' },
          ]),
        );
        expect(s.Metric.Dimensions.map((d) => d.Name)).not.toContain('jobType');
      }
    }
  });

  it('alarms on the time-to-complete burn rate of each job type, from its percentile rank', () => {
    for (const jobType of JOB_TYPES) {
      const objective = slo.timeToComplete[jobType];
      const burn = alarms.filter((a) => a.AlarmDescription.startsWith(`${jobType} jobs miss`));
      expect(burn.map((a) => a.Threshold).sort()).toEqual([14.4, 6]);
      for (const alarm of burn) {
        const rank = stats(alarm).find((s) => s.Stat.startsWith('PR('));
        expect(rank?.Stat).toBe(`PR(:${objective.seconds})`);
        expect(rank?.Metric.MetricName).toBe(METRIC.timeToComplete);
        expect(rank?.Metric.Dimensions).toContainEqual({ Name: 'jobType', Value: jobType });
        expect(returned(alarm)?.Expression).toContain(
          `/ ${Number((100 * (1 - objective.target)).toFixed(6))}`,
        );
      }
    }
  });

  it('still pages on any system failure, from the JobsFailed metric', () => {
    const system = alarms.find((a) => a.AlarmDescription.startsWith('A job failed for a system reason'));
    expect(system).toMatchObject({ MetricName: METRIC.jobsFailed, Threshold: 1 });
    expect(system?.Dimensions).toContainEqual({ Name: 'failureClass', Value: 'system' });
  });

  it('has thresholds for every stage and job type, stricter towards prod', () => {
    for (const stage of STAGES) {
      for (const jobType of JOB_TYPES)
        expect(STAGE_CONFIG[stage].slo.timeToComplete[jobType].seconds).toBeGreaterThan(0);
    }
    expect(STAGE_CONFIG.prod.slo.jobSuccess).toBeGreaterThan(STAGE_CONFIG.dev.slo.jobSuccess);
  });
});

describe('dashboard', () => {
  it('draws every service metric, the objectives and the infrastructure', () => {
    const [dashboard] = Object.values(compute.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of [
      'Jobs (per 5 minutes)',
      'Objectives: burn rate (1 = on budget)',
      'Time to complete (s)',
      'Time to start (s)',
      'Time to model output (s)',
      'Generated video (s) by model',
      'Transcoded video (min) by job type',
      'Queue wait for a slot (s)',
      'API requests by status class',
      'API requests by route and status class',
      'Webhook deliveries by outcome',
      'Jobs in the last 24 hours',
      'API 5xx (API Gateway)',
      'EventBridge dead letters',
      'Events failed after retries',
      'Aurora capacity (ACU)',
    ]) {
      expect(body).toContain(title);
    }
    for (const name of Object.values(METRIC)) expect(body).toContain(name);
  });
});

describe('tracing', () => {
  it('traces every function of the app, without recording responses', () => {
    const fns = Object.values(compute.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.STAGE === 'prod',
    );
    expect(fns.length).toBeGreaterThanOrEqual(18);
    for (const f of fns) {
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(f.Properties.Environment.Variables.POWERTOOLS_TRACER_CAPTURE_RESPONSE).toBe('false');
    }
    compute.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
    });
  });
});
