import { waitingPipelineTask } from './task.ts';

export const handler = waitingPipelineTask('startGeneration');
