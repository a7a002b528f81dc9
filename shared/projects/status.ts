export const PROJECT_STATUSES = ['DRAFT', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
