/**
 * AcquireCapacity: puts the GENERATE job in line for a unit of its model's capacity and resumes its
 * waiting state itself when a unit is free and the job comes first (shared/capacity/admission.ts).
 */
import { waitingPipelineTask } from './task.ts';

export const handler = waitingPipelineTask('acquireCapacity');
