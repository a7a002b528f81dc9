/** What each video model can do, read from the model registry (models.ts). */
export { effectiveGenerate, modelIssues, type VideoModelId } from './models.ts';
