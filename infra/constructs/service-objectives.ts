/**
 * The service-level objectives of a stage, their burn-rate alarms and the dashboard widgets built from the
 * service's own metrics (shared/observability/metrics.ts).
 *
 * - Job success: of the jobs that ended, the share that did not fail for a system reason is at least
 *   `slo.jobSuccess` (user and model failures spend nothing; cancelled jobs are not counted).
 * - Time to complete, per job type: at least `target` of the jobs complete within `seconds` of submission
 *   (CloudWatch's percentile rank of TimeToComplete, so the objective is the p95 when target is 0.95).
 *
 * Each objective has two burn-rate alarms (the error budget spent per unit of time, 1 = exactly on budget
 * over a 30-day window): fast, 14.4× over one hour (2% of the month's budget in an hour: act now), and
 * slow, 6× over six hours (5% in six hours: act today). A window with fewer than `slo.minJobs` jobs is
 * not judged.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { JOB_TYPES, type JobType } from '#shared/jobs/status.ts';
import { DIMENSION, METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/observability/metrics.ts';
import type { FailureClass } from '#shared/pipeline/failure-class.ts';
import type { StageConfig } from '../config.ts';

export const BURN_WINDOWS = [
  { id: 'Fast', period: Duration.hours(1), burnRate: 14.4, when: 'act now' },
  { id: 'Slow', period: Duration.hours(6), burnRate: 6, when: 'act today' },
] as const;

const FAILURE_CLASSES: readonly FailureClass[] = ['user', 'model', 'system'];

export interface ServiceObjectivesProps {
  config: StageConfig;
}

export class ServiceObjectives extends Construct {
  readonly alarms: Alarm[] = [];
  /** Rows of the stage's dashboard. */
  readonly widgets: IWidget[][];

  constructor(scope: Construct, id: string, props: ServiceObjectivesProps) {
    super(scope, id);
    const { config } = props;
    const { slo } = config;

    /** A metric of the service under the dimension set given (service and stage are on every set). */
    const metric = (name: string, dims: Record<string, string>, statistic: string, period: Duration) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { [DIMENSION.service]: METRICS_SERVICE, [DIMENSION.stage]: config.stage, ...dims },
        statistic,
        period,
      });
    const sum = (name: string, dims: Record<string, string> = {}, period = Duration.minutes(5)) =>
      metric(name, dims, 'Sum', period).with({ label: Object.values(dims).join(' ') || name });

    const alarm = (alarmId: string, expression: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric: expression,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      this.alarms.push(created);
      return created;
    };

    // --- Job success --------------------------------------------------------------------------------
    const successBurn = (period: Duration) => {
      const failed = (cls: FailureClass) =>
        metric(METRIC.jobsFailed, { [DIMENSION.failureClass]: cls }, 'Sum', period);
      const ended = new MathExpression({
        expression: 'FILL(c, 0) + FILL(fu, 0) + FILL(fm, 0) + FILL(fs, 0)',
        usingMetrics: {
          c: metric(METRIC.jobsCompleted, {}, 'Sum', period),
          fu: failed('user'),
          fm: failed('model'),
          fs: failed('system'),
        },
        period,
      });
      return new MathExpression({
        expression: `IF(ended >= ${slo.minJobs}, FILL(sys, 0) / ended / ${round(1 - slo.jobSuccess)}, 0)`,
        usingMetrics: { ended, sys: failed('system') },
        period,
        label: 'Job success: burn rate',
      });
    };
    for (const w of BURN_WINDOWS) {
      alarm(
        `JobSuccessBurn${w.id}`,
        successBurn(w.period),
        w.burnRate,
        `Jobs are failing for system reasons ${w.burnRate}× faster than the ${pct(slo.jobSuccess)} success objective allows (over ${w.period.toHours()} h): ${w.when}. See README, Operations.`,
      );
    }

    // --- Time to complete, per job type ------------------------------------------------------------------
    const latencyBurn = (jobType: JobType, period: Duration) => {
      const objective = slo.timeToComplete[jobType];
      const dims = { [DIMENSION.jobType]: jobType };
      // Ids unique per job type: the dashboard draws every type's expression in one graph.
      const t = jobType.toLowerCase();
      return new MathExpression({
        expression: `IF(FILL(n_${t}, 0) >= ${slo.minJobs}, (100 - FILL(within_${t}, 100)) / ${round(100 * (1 - objective.target))}, 0)`,
        usingMetrics: {
          [`within_${t}`]: metric(METRIC.timeToComplete, dims, `PR(:${objective.seconds})`, period),
          [`n_${t}`]: metric(METRIC.timeToComplete, dims, 'SampleCount', period),
        },
        period,
        label: `${jobType}: burn rate`,
      });
    };
    for (const jobType of JOB_TYPES) {
      const objective = slo.timeToComplete[jobType];
      for (const w of BURN_WINDOWS) {
        alarm(
          `TimeToComplete${pascal(jobType)}Burn${w.id}`,
          latencyBurn(jobType, w.period),
          w.burnRate,
          `${jobType} jobs miss "${pct(objective.target)} complete within ${objective.seconds} s" ${w.burnRate}× faster than the objective allows (over ${w.period.toHours()} h): ${w.when}. See README, Operations.`,
        );
      }
    }

    // --- Dashboard ----------------------------------------------------------------------------------------
    const p95 = (name: string, dims: Record<string, string>) =>
      metric(name, dims, 'p95', Duration.minutes(5)).with({ label: `${Object.values(dims).join(' ')} p95` });
    const byType = (name: string) => JOB_TYPES.map((jobType) => p95(name, { [DIMENSION.jobType]: jobType }));
    // No label: CloudWatch names each series found by its dimension values (the route, the model).
    const search = (name: string, dims: string[]) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${[DIMENSION.service, DIMENSION.stage, ...dims].join(',')}} MetricName="${name}" ${DIMENSION.stage}="${config.stage}"', 'Sum', 300)`,
        period: Duration.minutes(5),
      });
    this.widgets = [
      [
        new GraphWidget({
          title: 'Jobs (per 5 minutes)',
          width: 12,
          left: [
            sum(METRIC.jobsSubmitted),
            sum(METRIC.jobsCompleted),
            sum(METRIC.jobsCancelled),
            ...FAILURE_CLASSES.map((cls) =>
              sum(METRIC.jobsFailed, { [DIMENSION.failureClass]: cls }).with({ label: `failed: ${cls}` }),
            ),
          ],
        }),
        new GraphWidget({
          title: 'Objectives: burn rate (1 = on budget)',
          width: 12,
          left: [
            successBurn(Duration.hours(1)),
            ...JOB_TYPES.map((jobType) => latencyBurn(jobType, Duration.hours(1))),
          ],
          leftAnnotations: BURN_WINDOWS.map((w) => ({ value: w.burnRate, label: `${w.id} alarm` })),
        }),
      ],
      [
        new GraphWidget({ title: 'Time to complete (s)', width: 8, left: byType(METRIC.timeToComplete) }),
        new GraphWidget({ title: 'Time to start (s)', width: 8, left: byType(METRIC.timeToStart) }),
        new GraphWidget({
          title: 'Time to model output (s)',
          width: 8,
          left: [p95(METRIC.timeToModelOutput, { [DIMENSION.jobType]: 'GENERATE' })],
        }),
      ],
      [
        new GraphWidget({
          title: 'Generated video (s) by model',
          width: 8,
          left: [search(METRIC.generationSeconds, [DIMENSION.jobType, DIMENSION.model])],
        }),
        new GraphWidget({
          title: 'Transcoded video (min) by job type',
          width: 8,
          left: JOB_TYPES.map((jobType) => sum(METRIC.transcodeMinutes, { [DIMENSION.jobType]: jobType })),
        }),
        new GraphWidget({ title: 'Queue wait for a slot (s)', width: 8, left: byType(METRIC.queueWait) }),
      ],
      [
        new GraphWidget({
          title: 'API requests by status class',
          width: 8,
          left: ['2xx', '3xx', '4xx', '5xx'].map((cls) =>
            sum(METRIC.apiRequests, { [DIMENSION.statusClass]: cls }),
          ),
        }),
        new GraphWidget({
          title: 'API requests by route and status class',
          width: 8,
          left: [search(METRIC.apiRequests, [DIMENSION.statusClass, DIMENSION.route])],
        }),
        new GraphWidget({
          title: 'Webhook deliveries by outcome',
          width: 8,
          left: ['delivered', 'retried', 'failed'].map((outcome) =>
            sum(METRIC.webhookDeliveries, { [DIMENSION.outcome]: outcome }),
          ),
        }),
      ],
      [
        new SingleValueWidget({
          title: 'Jobs in the last 24 hours',
          width: 24,
          metrics: [
            sum(METRIC.jobsCompleted, {}, Duration.days(1)),
            ...FAILURE_CLASSES.map((cls) =>
              sum(METRIC.jobsFailed, { [DIMENSION.failureClass]: cls }, Duration.days(1)).with({
                label: `failed: ${cls}`,
              }),
            ),
            sum(METRIC.jobsCancelled, {}, Duration.days(1)),
          ],
        }),
      ],
    ];
  }
}

const round = (n: number) => Number(n.toFixed(6));
const pct = (share: number) => `${round(share * 100)}%`;
const pascal = (word: string) => word.charAt(0) + word.slice(1).toLowerCase();
