import { pipelineTask } from './task.ts';

export const handler = pipelineTask('markFailed');
