/** Where media lives in the bucket, partitioned by user and project. */
export const clipPrefix = (userId: string, projectId: string, clipId: string) =>
  `users/${userId}/projects/${projectId}/clips/${clipId}/`;

export const projectPrefix = (userId: string, projectId: string) => `users/${userId}/projects/${projectId}/`;

/** Scratch space of one job (model output, intermediate files); removed when the job ends. */
export const jobWorkPrefix = (userId: string, jobId: string) => `work/${userId}/${jobId}/`;

export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
  return cleaned || 'upload';
}

export const uploadKey = (userId: string, projectId: string, uploadId: string, fileName: string) =>
  `uploads/${userId}/${projectId}/${uploadId}/${safeFileName(fileName)}`;

const UPLOAD_KEY = /^uploads\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/([^/]+)$/;

export function parseUploadKey(
  key: string,
): { userId: string; projectId: string; uploadId: string; fileName: string } | null {
  const m = UPLOAD_KEY.exec(key);
  if (!m) return null;
  return { userId: m[1]!, projectId: m[2]!, uploadId: m[3]!, fileName: m[4]! };
}
