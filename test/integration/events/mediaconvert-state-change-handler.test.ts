/**
 * The deployed MediaConvert progress handler as AWS composes it: the real handler and pipeline runtime,
 * built from the function's environment, on a database behind the Data API double; EventBridge
 * "MediaConvert Job State Change" events of each status. Only STATUS_UPDATE moves a PROCESSING job's
 * progress; the function has no table variable, so it builds no DynamoDB client, and touches no object.
 */

import { describe, expect, it } from 'vitest';
import { mediaConvertStateChange } from '#test/support/aws-events.ts';
import { databasesNamed, deployedHandlerSuite } from '#test/support/deployed-function.ts';
import { newOwner } from '#test/support/repositories.ts';

const suite = deployedHandlerSuite(
  'mediaconvert-state-change',
  () => import('#functions/events/mediaconvert-state-change.ts'),
);
const { s3, sfn, documents } = suite;

async function jobIn(status: 'QUEUED' | 'PROCESSING') {
  const { user, project } = await newOwner(suite.db.repos, 'mc');
  const job = await suite.db.repos.jobs.create({
    userId: user.id,
    projectId: project.id,
    jobType: 'TRANSCODE',
    prompt: 'transcode',
    parameters: {},
    concurrentLimit: 10,
  });
  if (status === 'PROCESSING') await suite.db.repos.jobs.markProcessing(job.id);
  suite.db.rds.resetHistory();
  return job;
}
const progressOf = async (jobId: string) => (await suite.db.repos.jobs.getForPipeline(jobId)).progress;
const metadata = (jobId: string) => ({ jobId, stage: 'dev' });

describe('mediaconvert-state-change, deployed', () => {
  it('moves a PROCESSING job through the transcode band on STATUS_UPDATE, never backwards', async () => {
    const job = await jobIn('PROCESSING');
    await suite.handler(mediaConvertStateChange.statusUpdate(metadata(job.id), 60));
    expect(await progressOf(job.id)).toBe(87);
    await suite.handler(mediaConvertStateChange.statusUpdate(metadata(job.id), 20));
    expect(await progressOf(job.id)).toBe(87);
    await suite.handler(mediaConvertStateChange.statusUpdate(metadata(job.id), 100));
    expect(await progressOf(job.id)).toBe(97);
    // The statements went to the cluster, secret and database the environment names.
    expect(databasesNamed(suite.db.rds)).toEqual(new Set(['video']));
    expect(s3.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
    expect(documents.calls()).toHaveLength(0);
  });

  it('leaves a job that is not PROCESSING as it is', async () => {
    const job = await jobIn('QUEUED');
    await suite.handler(mediaConvertStateChange.statusUpdate(metadata(job.id), 60));
    expect(await suite.db.repos.jobs.getForPipeline(job.id)).toMatchObject({ status: 'QUEUED', progress: 0 });
  });

  it.each([
    ['PROGRESSING', (id: string) => mediaConvertStateChange.progressing(metadata(id))],
    ['COMPLETE', (id: string) => mediaConvertStateChange.complete(metadata(id), `work/x/${id}/video.mp4`)],
    ['ERROR', (id: string) => mediaConvertStateChange.error(metadata(id))],
    ['STATUS_UPDATE without a job', () => mediaConvertStateChange.statusUpdate({ stage: 'dev' }, 60)],
  ])('ignores %s: no statement at all', async (_, event) => {
    const job = await jobIn('PROCESSING');
    await suite.handler(event(job.id));
    expect(suite.db.rds.calls()).toHaveLength(0);
    expect(await progressOf(job.id)).toBe(0);
  });

  it('logs a malformed event, where it failed, and throws so Lambda retries it', async () => {
    const job = await jobIn('PROCESSING');
    await expect(
      suite.handler(mediaConvertStateChange.statusUpdate(metadata(job.id), 'sixty')),
    ).rejects.toMatchObject({ name: 'UnexpectedEvent' });
    expect(suite.db.rds.calls()).toHaveLength(0);
    const logged = suite.logs.lines.filter((l) => l.message === 'unexpected event');
    expect(logged).toMatchObject([
      {
        level: 'ERROR',
        eventKind: 'MediaConvert Job State Change',
        issues: [expect.objectContaining({ path: 'detail.jobProgress.jobPercentComplete' })],
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain(job.id);
  });
});
