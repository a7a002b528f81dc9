/** A job row as the outbox trigger stores it (to_jsonb: snake_case, timestamps as text). */
export function jobEventData(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'j',
    project_id: 'p',
    user_id: 'u',
    clip_id: null,
    template_id: null,
    job_type: 'GENERATE',
    status: 'QUEUED',
    prompt: 'fox',
    parameters: {},
    progress: 0,
    error_message: null,
    admitted: true,
    started_at: null,
    completed_at: null,
    created_at: '2026-11-26T11:59:00.000+00:00',
    source_clip_ids: [],
    ...fields,
  };
}
