/**
 * A GENERATE job waits for its model's output through a Step Functions task token: StartGeneration (and,
 * as the safety net, CheckGeneration) records the token of its waiting state here, and the creation of the
 * output object (S3 → EventBridge on AWS, s3rver's event locally) hands the run back to that state.
 *
 * Handing over is idempotent: the token is read, the execution resumed, and the row removed only if it
 * still holds that token. A duplicate or late event finds no row, or a token Step Functions no longer
 * waits on (the adapter reports that as `false`): then the row keeps the news that the output landed,
 * and the next waiting state (CheckGeneration, with a new token) hands the run over at once.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { generationJobs, generationWaits } from '../db/tables.ts';

/** The model run a job waits for (the state machine's `$.generation`). */
export interface GenerationRun {
  handle: string;
  model: string;
  startedAt: number;
  expectedSeconds: number;
  /** When the job was submitted (epoch ms) and the video's length, for the time-to-output metric. */
  submittedAt?: number;
  videoSeconds?: number;
  videoKey?: string;
}

/** Resumes a waiting state: SendTaskSuccess on AWS, the local runner's promise on a laptop. */
export interface TaskTokens {
  /** False when nothing waits on the token any more (closed, timed out, or its execution stopped). */
  succeed(token: string, output: object): Promise<boolean>;
}

export interface GenerationWait {
  jobId: string;
  userId: string;
  taskToken: string;
  generation: GenerationRun;
}

export function createGenerationWaits(db: Database) {
  return {
    /** Records (or replaces) the token the job's waiting state was given. */
    async save(jobId: string, taskToken: string, generation: GenerationRun): Promise<void> {
      const row = { jobId, taskToken, generation: { ...generation }, updatedAt: new Date() };
      await db
        .insert(generationWaits)
        .values(row)
        .onConflictDoUpdate({
          target: generationWaits.jobId,
          set: { taskToken, generation: row.generation, updatedAt: row.updatedAt },
        });
    },

    /**
     * Gives the wait a new token (the safety-net state's), keeping the run as it is now; the run is
     * returned, with its videoKey if the output landed while no state waited. Undefined without a wait.
     */
    async renew(jobId: string, taskToken: string): Promise<GenerationRun | undefined> {
      const [row] = await db
        .update(generationWaits)
        .set({ taskToken, updatedAt: new Date() })
        .where(eq(generationWaits.jobId, jobId))
        .returning({ generation: generationWaits.generation });
      return row ? (row.generation as unknown as GenerationRun) : undefined;
    },

    /** Notes on the wait that the output landed, for the next state that waits. */
    async landed(jobId: string, videoKey: string): Promise<void> {
      await db
        .update(generationWaits)
        .set({ generation: sql`${generationWaits.generation} || ${JSON.stringify({ videoKey })}::jsonb` })
        .where(eq(generationWaits.jobId, jobId));
    },

    /** The job's wait, with its owner (the output's key names both). */
    async find(jobId: string): Promise<GenerationWait | undefined> {
      const [row] = await db
        .select({
          jobId: generationWaits.jobId,
          userId: generationJobs.userId,
          taskToken: generationWaits.taskToken,
          generation: generationWaits.generation,
        })
        .from(generationWaits)
        .innerJoin(generationJobs, eq(generationJobs.id, generationWaits.jobId))
        .where(eq(generationWaits.jobId, jobId));
      return row ? { ...row, generation: row.generation as unknown as GenerationRun } : undefined;
    },

    /** Removes the wait; with a token, only if it is still that one (a newer wait stays). */
    async release(jobId: string, taskToken?: string): Promise<void> {
      await db
        .delete(generationWaits)
        .where(
          taskToken === undefined
            ? eq(generationWaits.jobId, jobId)
            : and(eq(generationWaits.jobId, jobId), eq(generationWaits.taskToken, taskToken)),
        );
    },
  };
}

export type GenerationWaits = ReturnType<typeof createGenerationWaits>;

const OUTPUT_KEY =
  /^work\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/generation\/(?:[^/]+\/)*output\.mp4$/;

/**
 * The owner and job of a model's output video: `work/{userId}/{jobId}/generation/…/output.mp4` (Bedrock
 * adds a folder named after the invocation; the local stand-in writes straight into the folder).
 */
export function parseOutputKey(key: string): { userId: string; jobId: string } | null {
  const m = OUTPUT_KEY.exec(key);
  return m ? { userId: m[1]!, jobId: m[2]! } : null;
}
