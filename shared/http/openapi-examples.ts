/** Example values for the OpenAPI document; each one is checked against its schema by Redocly's lint. */
const USER = '3f1c9a52-7d0e-4b8a-9c61-2a5e8b0d4f17';
const PROJECT = '8b2e4c6a-1f3d-4e5b-9a7c-0d2f4b6e8a1c';
const CLIP = 'c4a1e7b9-2d5f-4c8e-a3b6-9f0d1e2c3b4a';
const JOB = '5d7f9b1e-3a2c-4e6d-8b0f-1c3e5a7b9d2f';
const TEMPLATE = 'a9e8d7c6-b5a4-4f3e-8d2c-1b0a9f8e7d6c';
const AT = '2026-11-26T10:15:30.000Z';
const LATER = '2026-11-26T10:16:02.000Z';

export const examples = {
  Project: {
    id: PROJECT,
    userId: USER,
    title: 'Winter trailer',
    description: 'Thirty seconds of snow and foxes',
    status: 'DRAFT',
    settings: {},
    createdAt: AT,
    updatedAt: AT,
  },
  Clip: {
    id: CLIP,
    projectId: PROJECT,
    title: 'A red fox running through snow',
    duration: 6,
    fileUrl: `s3://media/${USER}/${CLIP}/video.mp4`,
    thumbnailUrl: `s3://media/${USER}/${CLIP}/poster.jpg`,
    fileSize: 2_304_118,
    storageBytes: 4_811_502,
    resolution: '1280x720',
    format: 'mp4',
    metadata: {},
    system: {
      jobType: 'GENERATE',
      model: 'local',
      notAi: true,
      hasAudio: false,
      hasHls: true,
      hasPoster: true,
      adjustments: [],
    },
    createdAt: LATER,
    updatedAt: LATER,
  },
  Job: {
    id: JOB,
    projectId: PROJECT,
    clipId: null,
    templateId: null,
    jobType: 'GENERATE',
    status: 'PROCESSING',
    prompt: 'a red fox running through snow',
    parameters: { model: 'local', durationSeconds: 6 },
    progress: 40,
    errorMessage: null,
    startedAt: AT,
    completedAt: null,
    createdAt: AT,
    queuePosition: null,
  },
  Template: {
    id: TEMPLATE,
    name: 'Product spin',
    description: 'A slow turntable shot of a product',
    category: 'product',
    thumbnailUrl: null,
    prompt: 'a {{product}} turning slowly on a white table, soft light',
    parameters: { durationSeconds: 6 },
    isPublic: true,
    createdBy: null,
    usageCount: 12,
    createdAt: AT,
    updatedAt: AT,
  },
  User: {
    id: USER,
    email: 'ada@example.com',
    username: 'ada',
    subscriptionTier: 'FREE',
    storageUsed: 4_811_502,
    storageLimit: 5_368_709_120,
    createdAt: AT,
    updatedAt: AT,
  },
  CreateProjectRequest: { title: 'Winter trailer', description: 'Thirty seconds of snow and foxes' },
  UpdateProjectRequest: { title: 'Winter trailer, final' },
  UpdateClipRequest: { title: 'Fox, take two' },
  CreateJobRequest: {
    jobType: 'GENERATE',
    prompt: 'a red fox running through snow',
    parameters: { model: 'local', durationSeconds: 6, resolution: '1280x720' },
  },
  CreateTemplateRequest: {
    name: 'Product spin',
    category: 'product',
    prompt: 'a {{product}} turning slowly on a white table, soft light',
  },
  UpdateTemplateRequest: { isPublic: false },
  UploadRequest: { fileName: 'fox.mp4', contentType: 'video/mp4', fileSize: 2_304_118 },
  SignUpRequest: { email: 'ada@example.com', username: 'ada', password: 'Secret123' },
  LoginRequest: { email: 'ada@example.com', password: 'Secret123' },
  ConfirmSignUpRequest: { email: 'ada@example.com', code: '123456' },
  UpdateMeRequest: { username: 'ada_lovelace' },
} as const;

/** One problem per status, as the API answers it. */
export const problemExamples: Record<number, object> = {
  400: {
    type: 'https://ai-video.dev/problems/validation-error',
    title: 'Bad Request',
    status: 400,
    detail: 'The request body is not valid; see errors.',
    instance: '/v1/projects',
    errors: [{ path: 'body.title', message: 'must not be empty' }],
  },
  401: {
    type: 'https://ai-video.dev/problems/unauthorized',
    title: 'Unauthorized',
    status: 401,
    detail: 'Sign in again.',
  },
  403: {
    type: 'https://ai-video.dev/problems/tier-limit',
    title: 'Forbidden',
    status: 403,
    detail: 'The FREE tier makes clips of at most 10 seconds.',
  },
  404: {
    type: 'https://ai-video.dev/problems/not-found',
    title: 'Not Found',
    status: 404,
    detail: 'project not found',
  },
  409: {
    type: 'https://ai-video.dev/problems/conflict',
    title: 'Conflict',
    status: 409,
    detail: 'This Idempotency-Key was already used with a different request.',
  },
  412: {
    type: 'https://ai-video.dev/problems/precondition-failed',
    title: 'Precondition Failed',
    status: 412,
    detail:
      'The project changed since the ETag you sent in If-Match was read, so nothing was changed; GET it again and retry with its new ETag.',
  },
  413: {
    type: 'https://ai-video.dev/problems/quota-exceeded',
    title: 'Content Too Large',
    status: 413,
    detail: 'This needs 2304118 bytes but only 1024 bytes of storage remain.',
  },
  415: {
    type: 'https://ai-video.dev/problems/unsupported-media-type',
    title: 'Unsupported Media Type',
    status: 415,
    detail: 'Send the body as application/json, in UTF-8.',
  },
  429: {
    type: 'https://ai-video.dev/problems/too-many-requests',
    title: 'Too Many Requests',
    status: 429,
    detail: 'Too many attempts; wait a moment and try again.',
  },
  500: {
    type: 'https://ai-video.dev/problems/internal-error',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side. Quote the correlation id if you report it.',
    correlationId: '0f6c2d7e-5b8a-4c1d-9e3f-7a2b4c6d8e0f',
  },
};
