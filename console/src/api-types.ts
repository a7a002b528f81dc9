/**
 * Generated from the OpenAPI document by infra/console/api-types.ts; do not edit.
 */
export interface paths {
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller’s API keys (never the keys themselves); a user token only */
        get: operations["listApiKeys"];
        put?: never;
        /** Create an API key (shown once); a user token only */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key (refused everywhere within 5 seconds); a user token only */
        delete: operations["deleteApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm the email with its code */
        post: operations["confirmSignUp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in */
        post: operations["logIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** New tokens from a refresh token */
        post: operations["refreshTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account */
        post: operations["signUp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clips/{clipId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A clip with signed media URLs
         * @description The MP4 and thumbnail links are signed as of the current 5-minute window, so reading the clip again within it gives the same links (a browser reuses what it fetched). `media.expiresAt` is when they stop working: 15 to 20 minutes from the read. The ETag covers the clip, not its links.
         */
        get: operations["getClip"];
        put?: never;
        post?: never;
        /** Delete a clip and its media; frees storage */
        delete: operations["deleteClip"];
        options?: never;
        head?: never;
        /** Change a clip */
        patch: operations["updateClip"];
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your events as Server-Sent Events (id, event, data: the envelope), resumable with Last-Event-ID; a comment heartbeat every 15 s
         * @description Job events carry the job as GET /v1/jobs/{jobId} returns it, less `queuePosition`: a waiting job's place in line is read with GET only (it moves for most of the line at every grant and arrival). A stream filtered by `projectId` or `jobId` ends within seconds of that project or job being deleted; opened again it is a 404.
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and database readiness */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A job: status, progress, error, clip
         * @description A waiting GENERATE job's `queuePosition` is read here only, at the time of the request: job events do not carry it, because places move for most of the line at every grant and arrival. Poll while the job is QUEUED; its first job.progress event says it has started.
         */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{jobId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a QUEUED or PROCESSING job */
        post: operations["cancelJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{jobId}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One job's events as Server-Sent Events from its start (or after Last-Event-ID); ends after its terminal event
         * @description Job events carry the job as GET /v1/jobs/{jobId} returns it, less `queuePosition`: a waiting job's place in line is read with GET only (it moves for most of the line at every grant and arrival). A stream filtered by `projectId` or `jobId` ends within seconds of that project or job being deleted; opened again it is a 404.
         */
        get: operations["streamJobEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller, with tier and storage */
        get: operations["getMe"];
        put?: never;
        post?: never;
        /** Erase the account: running jobs cancelled, every row and object deleted, sign-in removed, audit entries kept under a pseudonym. A user token only, with the current password or a sign-in within 5 minutes */
        delete: operations["deleteAccount"];
        options?: never;
        head?: never;
        /** Change the username */
        patch: operations["updateMe"];
        trace?: never;
    };
    "/v1/me/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start an export of every row and a manifest of every object of the account, as a zip */
        post: operations["createExport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/exports/{exportId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An export’s status, with a signed link to its zip once written */
        get: operations["getExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the month’s jobs generated and transcoded, jobs by outcome, storage, and the estimated AWS cost with its price table */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media/hls/{token}/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An HLS playlist of a clip, from the hlsUrl of GET /v1/clips/{clipId}; segments come as signed URLs */
        get: operations["getHlsPlaylist"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The video models, their Regions, lifecycle, capabilities and availability here */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Own projects */
        get: operations["listProjects"];
        put?: never;
        /** Create a project */
        post: operations["createProject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A project */
        get: operations["getProject"];
        put?: never;
        post?: never;
        /** Delete a project, its clips and media; frees storage */
        delete: operations["deleteProject"];
        options?: never;
        head?: never;
        /** Change a project */
        patch: operations["updateProject"];
        trace?: never;
    };
    "/v1/projects/{projectId}/clips": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Clips of a project */
        get: operations["listClips"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Jobs of a project
         * @description A waiting GENERATE job's `queuePosition` is read here only, at the time of the request: job events do not carry it, because places move for most of the line at every grant and arrival. Poll while the job is QUEUED; its first job.progress event says it has started.
         */
        get: operations["listJobs"];
        put?: never;
        /**
         * Submit a job (Idempotency-Key supported)
         * @description Everything that can be checked is checked here (400 naming the field), before a job exists. An EDIT clip's `start` and `end` are seconds from 0 to 7200; the part kept must last at least 0.1 s once an `end` past the clip's end is cut to it. The prompt, a template's with its variables filled in, must hold 1–2000 characters with something visible and no invisible controls (line breaks and tabs are fine). `parameters.variables` go with a `templateId` and name only its placeholders.
         */
        post: operations["createJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Uploads of a project in progress: requested and not yet a clip, failed, cancelled or lapsed */
        get: operations["listUploads"];
        put?: never;
        /** A presigned POST for an upload; the upload becomes a TRANSCODE job and a clip */
        post: operations["createUpload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public templates and the caller’s own */
        get: operations["listTemplates"];
        put?: never;
        /** Create a template */
        post: operations["createTemplate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates/{templateId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A template */
        get: operations["getTemplate"];
        put?: never;
        post?: never;
        /** Delete an own template */
        delete: operations["deleteTemplate"];
        options?: never;
        head?: never;
        /** Change an own template */
        patch: operations["updateTemplate"];
        trace?: never;
    };
    "/v1/uploads/{uploadId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Cancel an upload whose file has not arrived; its storage and its place among the uploads in progress come back at once
         * @description A file still sent with the cancelled presigned POST is deleted when it arrives and becomes no job or clip. Cancelling again answers 204 and changes nothing. Once the file has arrived the upload is the TRANSCODE job with the same id: the answer is 409, and POST /v1/jobs/{jobId}/cancel cancels it.
         */
        delete: operations["cancelUpload"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your webhook endpoints (never their secrets) */
        get: operations["listWebhooks"];
        put?: never;
        /** Add a webhook endpoint; the signing secret (whsec_…) is shown only in this response */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{webhookId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A webhook endpoint */
        get: operations["getWebhook"];
        put?: never;
        post?: never;
        /** Remove a webhook endpoint and its delivery log */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        /** Change its URL, event types, description, or enable/disable it */
        patch: operations["updateWebhook"];
        trace?: never;
    };
    "/v1/webhooks/{webhookId}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The delivery log: status, attempts, last status code and latency, next attempt */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a delivery again now
         * @description Each call adds a delivery of up to 8 attempts, so test sends and retries together are limited to 10 a minute per user; past that the answer is 429 with Retry-After (the seconds until the minute ends). A call that sends nothing (404, 409) is not counted.
         */
        post: operations["retryWebhookDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{webhookId}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new signing secret (shown once); the old one keeps signing beside it for 24 hours */
        post: operations["rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{webhookId}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a webhook.test event to this endpoint
         * @description Each call adds a delivery of up to 8 attempts, so test sends and retries together are limited to 10 a minute per user; past that the answer is 429 with Retry-After (the seconds until the minute ends). A call that sends nothing (404, 409) is not counted.
         */
        post: operations["sendWebhookTest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "clip.deleted": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The clip.deleted event */
        post: operations["receiveClipDeletedEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "job.completed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The job.completed event */
        post: operations["receiveJobCompletedEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "job.created": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The job.created event */
        post: operations["receiveJobCreatedEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "job.failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The job.failed event */
        post: operations["receiveJobFailedEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "job.progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The job.progress event */
        post: operations["receiveJobProgressEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "webhook.test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The webhook.test event */
        post: operations["receiveWebhookTestEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /**
         * @example {
         *       "id": "c4a1e7b9-2d5f-4c8e-a3b6-9f0d1e2c3b4a",
         *       "projectId": "8b2e4c6a-1f3d-4e5b-9a7c-0d2f4b6e8a1c",
         *       "title": "A red fox running through snow",
         *       "duration": 6,
         *       "fileUrl": "s3://media/3f1c9a52-7d0e-4b8a-9c61-2a5e8b0d4f17/c4a1e7b9-2d5f-4c8e-a3b6-9f0d1e2c3b4a/video.mp4",
         *       "thumbnailUrl": "s3://media/3f1c9a52-7d0e-4b8a-9c61-2a5e8b0d4f17/c4a1e7b9-2d5f-4c8e-a3b6-9f0d1e2c3b4a/poster.jpg",
         *       "fileSize": 2304118,
         *       "storageBytes": 4811502,
         *       "resolution": "1280x720",
         *       "format": "mp4",
         *       "metadata": {},
         *       "system": {
         *         "jobType": "GENERATE",
         *         "model": "local",
         *         "notAi": true,
         *         "hasAudio": false,
         *         "hasHls": true,
         *         "hasPoster": true,
         *         "adjustments": []
         *       },
         *       "createdAt": "2026-11-26T10:16:02.000Z",
         *       "updatedAt": "2026-11-26T10:16:02.000Z"
         *     }
         */
        Clip: {
            /** Format: date-time */
            createdAt: string;
            duration: number;
            /** @description Bytes of the MP4 (what downloading videoUrl returns). */
            fileSize: number;
            fileUrl: string;
            format: string;
            /** Format: uuid */
            id: string;
            media?: {
                /** Format: date-time */
                expiresAt: string;
                hlsUrl: string | null;
                thumbnailUrl: string | null;
                /** Format: uri */
                videoUrl: string;
            };
            /** @description The user's own data (PATCH replaces it). */
            metadata: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            projectId: string;
            resolution: string;
            /** @description Bytes of every rendition (MP4, HLS, frames), charged to the owner's storage. */
            storageBytes: number;
            /** @description Recorded by the pipeline; no request can change it. */
            readonly system: {
                /** @description What was done differently from what the job asked, because of its source. */
                adjustments: string[];
                hasAudio: boolean;
                hasHls: boolean;
                hasPoster: boolean;
                jobType: ("GENERATE" | "EDIT" | "ENHANCE" | "TRANSCODE") | null;
                model: string | null;
                notAi: boolean;
            };
            thumbnailUrl: string | null;
            title: string;
            /** Format: date-time */
            updatedAt: string;
        };
        ClipPage: {
            items: components["schemas"]["Clip"][];
            /** @description Null on the last page; otherwise send it back as `cursor` for the items after this page. */
            nextCursor: string | null;
        };
        /**
         * @example {
         *       "email": "ada@example.com",
         *       "code": "123456"
         *     }
         */
        ConfirmSignUpRequest: {
            code: string;
            email: string;
        };
        /**
         * @example {
         *       "jobType": "GENERATE",
         *       "prompt": "a red fox running through snow",
         *       "parameters": {
         *         "model": "local",
         *         "durationSeconds": 6,
         *         "resolution": "1280x720"
         *       }
         *     }
         */
        CreateJobRequest: {
            /** @enum {string} */
            jobType: "GENERATE" | "EDIT" | "ENHANCE" | "TRANSCODE";
            parameters?: {
                [key: string]: unknown;
            };
            prompt?: string;
            sourceClipIds?: string[];
            /** Format: uuid */
            templateId?: string;
        };
        /**
         * @example {
         *       "title": "Winter trailer",
         *       "description": "Thirty seconds of snow and foxes"
         *     }
         */
        CreateProjectRequest: {
            description?: string | null;
            settings?: {
                [key: string]: unknown;
            };
            title: string;
        };
        /**
         * @example {
         *       "name": "Product spin",
         *       "category": "product",
         *       "prompt": "a {{product}} turning slowly on a white table, soft light"
         *     }
         */
        CreateTemplateRequest: {
            /** @enum {string} */
            category: "general" | "marketing" | "social" | "education" | "entertainment" | "product" | "travel" | "nature" | "abstract";
            /** @default  */
            description: string;
            isPublic?: boolean;
            name: string;
            parameters?: {
                [key: string]: unknown;
            };
            prompt: string;
        };
        CreateWebhookRequest: {
            description?: string;
            events?: ("job.created" | "job.progress" | "job.completed" | "job.failed" | "clip.deleted")[];
            /** @description Where events are sent: at most 2000 characters as sent and as stored once normalised (each byte of a character outside ASCII is stored percent-encoded, as three characters). At most 3 of an account's webhooks may point at one host (the hostname lowercased, an IP address in its canonical form; port, path and query do not count), and no two at the same URL: a fourth on a host, or a repeated URL, is refused with 409, on creation and on a change of URL. */
            url: string;
        };
        EventEnvelope: {
            /** Format: date-time */
            createdAt: string;
            /** @description job.*: the job as GET /v1/jobs/{jobId} returns it, less `queuePosition` (read by GET only: a waiting job's place moves with every grant and arrival, so no event reports it); job.completed adds `clip`; clip.deleted: the clip; webhook.test: {webhookId, message} */
            data: {
                [key: string]: unknown;
            };
            /** @description evt_<transaction>_<sequence>; also the webhook-id header and the SSE id */
            id: string;
            /** @enum {string} */
            type: "job.created" | "job.progress" | "job.completed" | "job.failed" | "clip.deleted" | "webhook.test";
        };
        FieldIssue: {
            message: string;
            /** @description Where the problem is: `body.title`, `query.limit`, `path.projectId` */
            path: string;
        };
        Health: {
            checks: {
                [key: string]: string;
            };
            /** @enum {string} */
            status: "ok" | "degraded";
        };
        /**
         * @example {
         *       "id": "5d7f9b1e-3a2c-4e6d-8b0f-1c3e5a7b9d2f",
         *       "projectId": "8b2e4c6a-1f3d-4e5b-9a7c-0d2f4b6e8a1c",
         *       "clipId": null,
         *       "templateId": null,
         *       "jobType": "GENERATE",
         *       "status": "PROCESSING",
         *       "prompt": "a red fox running through snow",
         *       "parameters": {
         *         "model": "local",
         *         "durationSeconds": 6
         *       },
         *       "progress": 40,
         *       "errorMessage": null,
         *       "startedAt": "2026-11-26T10:15:30.000Z",
         *       "completedAt": null,
         *       "createdAt": "2026-11-26T10:15:30.000Z",
         *       "queuePosition": null
         *     }
         */
        Job: {
            clipId: string | null;
            completedAt: string | null;
            /** Format: date-time */
            createdAt: string;
            errorMessage: string | null;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            jobType: "GENERATE" | "EDIT" | "ENHANCE" | "TRANSCODE";
            parameters: {
                [key: string]: unknown;
            };
            progress: number;
            /** Format: uuid */
            projectId: string;
            prompt: string;
            queuePosition: number | null;
            sourceClipIds?: string[];
            startedAt: string | null;
            /** @enum {string} */
            status: "QUEUED" | "PROCESSING" | "COMPLETED" | "FAILED";
            templateId: string | null;
        };
        JobPage: {
            items: components["schemas"]["Job"][];
            /** @description Null on the last page; otherwise send it back as `cursor` for the items after this page. */
            nextCursor: string | null;
        };
        /**
         * @example {
         *       "email": "ada@example.com",
         *       "password": "Secret123"
         *     }
         */
        LoginRequest: {
            email: string;
            password: string;
        };
        Model: {
            /** @description Enabled in this deployment and not past its end of life */
            available: boolean;
            capabilities: {
                aspectRatios: ("16:9" | "9:16" | "1:1" | "4:3" | "3:4" | "21:9" | "9:21")[];
                /** @description Seconds: the allowed values, or a range */
                durations: number[] | {
                    max: number;
                    min: number;
                };
                fps: number[] | {
                    max: number;
                    min: number;
                };
                imageInput: boolean;
                loop: boolean;
                multiShot: boolean;
                resolutions: string[] | "any";
            };
            defaults: {
                /** @enum {string} */
                aspectRatio: "16:9" | "9:16" | "1:1" | "4:3" | "3:4" | "21:9" | "9:21";
                durationSeconds: number;
                fps: number;
                resolution: string;
            };
            /** Format: date */
            eolDate?: string;
            /** @enum {string} */
            id: "local" | "nova-reel" | "luma-ray2";
            /** Format: date */
            legacyDate?: string;
            /** @enum {string} */
            lifecycle: "ACTIVE" | "LEGACY" | "EOL";
            /** @description The Bedrock model id; null for the local stand-in */
            modelId: string | null;
            name: string;
            /** @description List price by resolution */
            pricePerSecondUsd: {
                [key: string]: number;
            } | null;
            provider: string;
            /** @description The AWS Region the model runs in */
            region: string | null;
        };
        ModelList: {
            items: components["schemas"]["Model"][];
        };
        /**
         * @example {
         *       "type": "https://ai-video.dev/problems/validation-error",
         *       "title": "Bad Request",
         *       "status": 400,
         *       "detail": "The request body is not valid; see errors.",
         *       "instance": "/v1/projects",
         *       "errors": [
         *         {
         *           "path": "body.title",
         *           "message": "must not be empty"
         *         }
         *       ]
         *     }
         */
        Problem: {
            correlationId?: string;
            detail: string;
            /** @description One entry per field that is not valid */
            errors?: components["schemas"]["FieldIssue"][];
            instance?: string;
            status: number;
            title: string;
            type: string;
        };
        /**
         * @example {
         *       "id": "8b2e4c6a-1f3d-4e5b-9a7c-0d2f4b6e8a1c",
         *       "userId": "3f1c9a52-7d0e-4b8a-9c61-2a5e8b0d4f17",
         *       "title": "Winter trailer",
         *       "description": "Thirty seconds of snow and foxes",
         *       "status": "DRAFT",
         *       "settings": {},
         *       "createdAt": "2026-11-26T10:15:30.000Z",
         *       "updatedAt": "2026-11-26T10:15:30.000Z"
         *     }
         */
        Project: {
            /** Format: date-time */
            createdAt: string;
            description: string | null;
            /** Format: uuid */
            id: string;
            settings: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            status: "DRAFT" | "PROCESSING" | "COMPLETED" | "FAILED";
            title: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: uuid */
            userId: string;
        };
        ProjectPage: {
            items: components["schemas"]["Project"][];
            /** @description Null on the last page; otherwise send it back as `cursor` for the items after this page. */
            nextCursor: string | null;
        };
        RefreshRequest: {
            refreshToken: string;
        };
        /**
         * @example {
         *       "email": "ada@example.com",
         *       "username": "ada",
         *       "password": "Secret123"
         *     }
         */
        SignUpRequest: {
            email: string;
            password: string & (unknown & unknown & unknown & unknown);
            username: string;
        };
        SignUpResult: {
            confirmed: boolean;
            email: string;
            next: string;
            userId: string;
            username: string;
        };
        /**
         * @example {
         *       "id": "a9e8d7c6-b5a4-4f3e-8d2c-1b0a9f8e7d6c",
         *       "name": "Product spin",
         *       "description": "A slow turntable shot of a product",
         *       "category": "product",
         *       "thumbnailUrl": null,
         *       "prompt": "a {{product}} turning slowly on a white table, soft light",
         *       "parameters": {
         *         "durationSeconds": 6
         *       },
         *       "isPublic": true,
         *       "createdBy": null,
         *       "usageCount": 12,
         *       "createdAt": "2026-11-26T10:15:30.000Z",
         *       "updatedAt": "2026-11-26T10:15:30.000Z"
         *     }
         */
        Template: {
            category: string;
            /** Format: date-time */
            createdAt: string;
            createdBy: string | null;
            description: string;
            /** Format: uuid */
            id: string;
            isPublic: boolean;
            name: string;
            parameters: {
                [key: string]: unknown;
            };
            prompt: string;
            thumbnailUrl: string | null;
            /** Format: date-time */
            updatedAt: string;
            usageCount: number;
        };
        TemplatePage: {
            items: components["schemas"]["Template"][];
            /** @description Null on the last page; otherwise send it back as `cursor` for the items after this page. */
            nextCursor: string | null;
        };
        Tokens: {
            accessToken: string;
            expiresIn: number;
            idToken: string;
            refreshToken?: string;
            /** @constant */
            tokenType: "Bearer";
        };
        /**
         * @example {
         *       "title": "Fox, take two"
         *     }
         */
        UpdateClipRequest: {
            metadata?: {
                [key: string]: unknown;
            };
            title?: string;
        };
        /**
         * @example {
         *       "username": "ada_lovelace"
         *     }
         */
        UpdateMeRequest: {
            username: string;
        };
        /**
         * @example {
         *       "title": "Winter trailer, final"
         *     }
         */
        UpdateProjectRequest: {
            description?: string | null;
            settings?: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            status?: "DRAFT" | "PROCESSING" | "COMPLETED" | "FAILED";
            title?: string;
        };
        /**
         * @example {
         *       "isPublic": false
         *     }
         */
        UpdateTemplateRequest: {
            /** @enum {string} */
            category?: "general" | "marketing" | "social" | "education" | "entertainment" | "product" | "travel" | "nature" | "abstract";
            description?: string;
            isPublic?: boolean;
            name?: string;
            parameters?: {
                [key: string]: unknown;
            };
            prompt?: string;
        };
        UpdateWebhookRequest: {
            description?: string;
            enabled?: boolean;
            events?: ("job.created" | "job.progress" | "job.completed" | "job.failed" | "clip.deleted")[];
            /** @description Where events are sent: at most 2000 characters as sent and as stored once normalised (each byte of a character outside ASCII is stored percent-encoded, as three characters). At most 3 of an account's webhooks may point at one host (the hostname lowercased, an IP address in its canonical form; port, path and query do not count), and no two at the same URL: a fourth on a host, or a repeated URL, is refused with 409, on creation and on a change of URL. */
            url?: string;
        };
        UploadInProgress: {
            /** Format: date-time */
            createdAt: string;
            /** @description When the presigned POST stops being accepted; null once the file has arrived */
            expiresAt: string | null;
            fileName: string | null;
            /** @description The declared size: the most the POST accepts */
            fileSize: number;
            /**
             * @description `arrived`: the file is in and the upload is the TRANSCODE job of the same id (cancel that job instead)
             * @enum {string}
             */
            state: "awaiting-file" | "arrived";
            /** Format: uuid */
            uploadId: string;
        };
        /**
         * @example {
         *       "fileName": "fox.mp4",
         *       "contentType": "video/mp4",
         *       "fileSize": 2304118
         *     }
         */
        UploadRequest: {
            contentType: string;
            fileName: string;
            fileSize: number;
        };
        UploadTicket: {
            /** Format: date-time */
            expiresAt: string;
            fields: {
                [key: string]: string;
            };
            key: string;
            maxBytes: number;
            /** Format: uuid */
            uploadId: string;
            /** Format: uri */
            url: string;
        };
        /**
         * @example {
         *       "id": "3f1c9a52-7d0e-4b8a-9c61-2a5e8b0d4f17",
         *       "email": "ada@example.com",
         *       "username": "ada",
         *       "subscriptionTier": "FREE",
         *       "storageUsed": 4811502,
         *       "storageLimit": 5368709120,
         *       "createdAt": "2026-11-26T10:15:30.000Z",
         *       "updatedAt": "2026-11-26T10:15:30.000Z"
         *     }
         */
        User: {
            /** Format: date-time */
            createdAt: string;
            email: string;
            /** Format: uuid */
            id: string;
            storageLimit: number;
            storageUsed: number;
            /** @enum {string} */
            subscriptionTier: "FREE" | "BASIC" | "PRO" | "ENTERPRISE";
            /** Format: date-time */
            updatedAt: string;
            username: string;
        };
        Webhook: {
            /** Format: date-time */
            createdAt: string;
            description: string;
            disabledReason: string | null;
            enabled: boolean;
            events: string[];
            /** Format: uuid */
            id: string;
            secretRotatesUntil: string | null;
            /** Format: date-time */
            updatedAt: string;
            url: string;
        };
        WebhookDelivery: {
            attempts: number;
            /** Format: date-time */
            createdAt: string;
            eventId: string;
            /** @enum {string} */
            eventType: "job.created" | "job.progress" | "job.completed" | "job.failed" | "clip.deleted" | "webhook.test";
            /** Format: uuid */
            id: string;
            lastAttemptAt: string | null;
            lastError: string | null;
            lastLatencyMs: number | null;
            lastStatusCode: number | null;
            nextAttemptAt: string | null;
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed";
        };
        WebhookWithSecret: {
            /** Format: date-time */
            createdAt: string;
            description: string;
            disabledReason: string | null;
            enabled: boolean;
            events: string[];
            /** Format: uuid */
            id: string;
            secret: string;
            secretRotatesUntil: string | null;
            /** Format: date-time */
            updatedAt: string;
            url: string;
        };
    };
    responses: {
        /** @description The input is not valid; `errors` names each field */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/validation-error",
                 *       "title": "Bad Request",
                 *       "status": 400,
                 *       "detail": "The request body is not valid; see errors.",
                 *       "instance": "/v1/projects",
                 *       "errors": [
                 *         {
                 *           "path": "body.title",
                 *           "message": "must not be empty"
                 *         }
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description It conflicts with the current state */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/conflict",
                 *       "title": "Conflict",
                 *       "status": 409,
                 *       "detail": "This Idempotency-Key was already used with a different request."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is too large, or the bytes exceed the storage left */
        ContentTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/quota-exceeded",
                 *       "title": "Content Too Large",
                 *       "status": 413,
                 *       "detail": "This needs 2304118 bytes but only 1024 bytes of storage remain."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A tier rule, or the API key's scope, forbids it */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/tier-limit",
                 *       "title": "Forbidden",
                 *       "status": 403,
                 *       "detail": "The FREE tier makes clips of at most 10 seconds."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such resource of the caller (another user’s answers the same) */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/not-found",
                 *       "title": "Not Found",
                 *       "status": 404,
                 *       "detail": "project not found"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description If-Match did not name the current ETag (the resource changed since it was read), or If-None-Match named it; nothing was changed */
        PreconditionFailed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/precondition-failed",
                 *       "title": "Precondition Failed",
                 *       "status": 412,
                 *       "detail": "The project changed since the ETag you sent in If-Match was read, so nothing was changed; GET it again and retry with its new ETag."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description An error on the server; quote the correlation id */
        ServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/internal-error",
                 *       "title": "Internal Server Error",
                 *       "status": 500,
                 *       "detail": "Something went wrong on our side. Quote the correlation id if you report it.",
                 *       "correlationId": "0f6c2d7e-5b8a-4c1d-9e3f-7a2b4c6d8e0f"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Too many requests; see Retry-After. The deployed gateway’s own throttle answers `{message}` */
        TooManyRequests: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "message": "Too Many Requests"
                 *     }
                 */
                "application/json": {
                    message: string;
                };
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/too-many-requests",
                 *       "title": "Too Many Requests",
                 *       "status": 429,
                 *       "detail": "Too many attempts; wait a moment and try again."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No valid bearer token */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/unauthorized",
                 *       "title": "Unauthorized",
                 *       "status": 401,
                 *       "detail": "Sign in again."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is not application/json */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://ai-video.dev/problems/unsupported-media-type",
                 *       "title": "Unsupported Media Type",
                 *       "status": 415,
                 *       "detail": "Send the body as application/json, in UTF-8."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listApiKeys: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller’s API keys (never the keys themselves); a user token only */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: date-time */
                            createdAt: string;
                            expiresAt: string | null;
                            /** Format: uuid */
                            id: string;
                            lastUsedAt: string | null;
                            name: string;
                            prefix: string;
                            scopes: ("read" | "write")[];
                        }[];
                        /** @description Null on the last page; otherwise send it back as `cursor` for the items after this page. */
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["ServerError"];
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: date-time */
                    expiresAt?: string;
                    name: string;
                    scopes: ("read" | "write")[];
                };
            };
        };
        responses: {
            /** @description Create an API key (shown once); a user token only */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        expiresAt: string | null;
                        /** Format: uuid */
                        id: string;
                        /** @description The key itself; shown only in this response */
                        key: string;
                        lastUsedAt: string | null;
                        name: string;
                        prefix: string;
                        scopes: ("read" | "write")[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    deleteApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                keyId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoke an API key (refused everywhere within 5 seconds); a user token only */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    confirmSignUp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConfirmSignUpRequest"];
            };
        };
        responses: {
            /** @description Confirm the email with its code */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    logIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Sign in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tokens"];
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    refreshTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshRequest"];
            };
        };
        responses: {
            /** @description New tokens from a refresh token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tokens"];
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    signUp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignUpRequest"];
            };
        };
        responses: {
            /** @description Create an account */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignUpResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    getClip: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                clipId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A clip with signed media URLs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Clip"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    deleteClip: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The ETag of the resource as last read (its GET answers it), or `*`. When it is not the current one the answer is 412 and nothing changes: read it again and retry with the new ETag. Without it the change is made whatever the resource holds now.
                 * @example "3q2-7wK1bq6f0u1nF4mXy8cPz9Q"
                 */
                "If-Match"?: string;
                /**
                 * @description On a change or deletion: `*`, or ETags the resource must no longer have (weak comparison). When the resource exists and `*` is sent, or it has one of the ETags, the answer is 412 and nothing changes.
                 * @example *
                 */
                "If-None-Match"?: string;
            };
            path: {
                clipId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Delete a clip and its media; frees storage */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            412: components["responses"]["PreconditionFailed"];
            default: components["responses"]["ServerError"];
        };
    };
    updateClip: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The ETag of the resource as last read (its GET answers it), or `*`. When it is not the current one the answer is 412 and nothing changes: read it again and retry with the new ETag. Without it the change is made whatever the resource holds now.
                 * @example "3q2-7wK1bq6f0u1nF4mXy8cPz9Q"
                 */
                "If-Match"?: string;
                /**
                 * @description On a change or deletion: `*`, or ETags the resource must no longer have (weak comparison). When the resource exists and `*` is sent, or it has one of the ETags, the answer is 412 and nothing changes.
                 * @example *
                 */
                "If-None-Match"?: string;
            };
            path: {
                clipId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateClipRequest"];
            };
        };
        responses: {
            /** @description Change a clip */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Clip"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    streamEvents: {
        parameters: {
            query?: {
                jobId?: string;
                projectId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your events as Server-Sent Events (id, event, data: the envelope), resumable with Last-Event-ID; a comment heartbeat every 15 s */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["EventEnvelope"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Liveness and database readiness */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A job: status, progress, error, clip */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    cancelJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cancel a QUEUED or PROCESSING job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            default: components["responses"]["ServerError"];
        };
    };
    streamJobEvents: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One job's events as Server-Sent Events from its start (or after Last-Event-ID); ends after its terminal event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["EventEnvelope"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller, with tier and storage */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Unauthorized"];
            default: components["responses"]["ServerError"];
        };
    };
    deleteAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password?: string;
                };
            };
        };
        responses: {
            /** @description Erase the account: running jobs cancelled, every row and object deleted, sign-in removed, audit entries kept under a pseudonym. A user token only, with the current password or a sign-in within 5 minutes */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ERASING";
                        /** Format: uuid */
                        userId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    updateMe: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The ETag of the resource as last read (its GET answers it), or `*`. When it is not the current one the answer is 412 and nothing changes: read it again and retry with the new ETag. Without it the change is made whatever the resource holds now.
                 * @example "3q2-7wK1bq6f0u1nF4mXy8cPz9Q"
                 */
                "If-Match"?: string;
                /**
                 * @description On a change or deletion: `*`, or ETags the resource must no longer have (weak comparison). When the resource exists and `*` is sent, or it has one of the ETags, the answer is 412 and nothing changes.
                 * @example *
                 */
                "If-None-Match"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateMeRequest"];
            };
        };
        responses: {
            /** @description Change the username */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    createExport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Start an export of every row and a manifest of every object of the account, as a zip */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        exportId: string;
                        /** @constant */
                        status: "PENDING";
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    getExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                exportId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An export’s status, with a signed link to its zip once written */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        completedAt: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** @description A signed link to the zip, while it is COMPLETED */
                        downloadUrl?: string;
                        /** Format: date-time */
                        downloadUrlExpiresAt?: string;
                        errorMessage: string | null;
                        /**
                         * Format: date-time
                         * @description When the zip and its link lapse
                         */
                        expiresAt: string;
                        /** Format: uuid */
                        id: string;
                        sizeBytes: number | null;
                        /** @enum {string} */
                        status: "PENDING" | "COMPLETED" | "FAILED" | "EXPIRED";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    getUsage: {
        parameters: {
            query?: {
                month?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What the month’s jobs generated and transcoded, jobs by outcome, storage, and the estimated AWS cost with its price table */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        estimatedCostUsd: {
                            bedrock: number;
                            lambda: number;
                            mediaConvert: number;
                            s3Storage: number;
                            stepFunctions: number;
                            total: number;
                        };
                        generatedSeconds: {
                            byModel: {
                                [key: string]: number;
                            };
                        };
                        jobs: {
                            cancelled: number;
                            completed: number;
                            failed: number;
                        };
                        month: string;
                        priceTable: {
                            asOf: string;
                            region: string;
                            sources: {
                                [key: string]: string;
                            };
                        };
                        /** @description Bytes stored times hours held within the month (up to now for the current month), the measure S3 bills storage by. */
                        storageByteHours: number;
                        /** @description Bytes stored at the end of the month; for the current month, bytes stored now. */
                        storageBytes: number;
                        /** @description storageByteHours over 2^30 bytes and the hours of the whole month; the S3 storage estimate is this times the per-GB-month price. */
                        storageGbMonths: number;
                        transcodedMinutes: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            default: components["responses"]["ServerError"];
        };
    };
    getHlsPlaylist: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                file: string;
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An HLS playlist of a clip, from the hlsUrl of GET /v1/clips/{clipId}; segments come as signed URLs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.apple.mpegurl": string;
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The video models, their Regions, lifecycle, capabilities and availability here */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            default: components["responses"]["ServerError"];
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description This document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    listProjects: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
                q?: string;
                status?: "DRAFT" | "PROCESSING" | "COMPLETED" | "FAILED";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Own projects */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            default: components["responses"]["ServerError"];
        };
    };
    createProject: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateProjectRequest"];
            };
        };
        responses: {
            /** @description Create a project */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Project"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    getProject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A project */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Project"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    deleteProject: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The ETag of the resource as last read (its GET answers it), or `*`. When it is not the current one the answer is 412 and nothing changes: read it again and retry with the new ETag. Without it the change is made whatever the resource holds now.
                 * @example "3q2-7wK1bq6f0u1nF4mXy8cPz9Q"
                 */
                "If-Match"?: string;
                /**
                 * @description On a change or deletion: `*`, or ETags the resource must no longer have (weak comparison). When the resource exists and `*` is sent, or it has one of the ETags, the answer is 412 and nothing changes.
                 * @example *
                 */
                "If-None-Match"?: string;
            };
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Delete a project, its clips and media; frees storage */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            412: components["responses"]["PreconditionFailed"];
            default: components["responses"]["ServerError"];
        };
    };
    updateProject: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The ETag of the resource as last read (its GET answers it), or `*`. When it is not the current one the answer is 412 and nothing changes: read it again and retry with the new ETag. Without it the change is made whatever the resource holds now.
                 * @example "3q2-7wK1bq6f0u1nF4mXy8cPz9Q"
                 */
                "If-Match"?: string;
                /**
                 * @description On a change or deletion: `*`, or ETags the resource must no longer have (weak comparison). When the resource exists and `*` is sent, or it has one of the ETags, the answer is 412 and nothing changes.
                 * @example *
                 */
                "If-None-Match"?: string;
            };
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateProjectRequest"];
            };
        };
        responses: {
            /** @description Change a project */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Project"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    listClips: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Clips of a project */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClipPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    listJobs: {
        parameters: {
            query?: {
                cursor?: string;
                jobType?: "GENERATE" | "EDIT" | "ENHANCE" | "TRANSCODE";
                limit?: number;
                status?: "QUEUED" | "PROCESSING" | "COMPLETED" | "FAILED";
            };
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Jobs of a project */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    createJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateJobRequest"];
            };
        };
        responses: {
            /** @description Submit a job (Idempotency-Key supported) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    listUploads: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Uploads of a project in progress: requested and not yet a clip, failed, cancelled or lapsed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["UploadInProgress"][];
                        /** @description Null on the last page; otherwise send it back as `cursor` for the items after this page. */
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    createUpload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UploadRequest"];
            };
        };
        responses: {
            /** @description A presigned POST for an upload; the upload becomes a TRANSCODE job and a clip */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadTicket"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    listTemplates: {
        parameters: {
            query?: {
                category?: "general" | "marketing" | "social" | "education" | "entertainment" | "product" | "travel" | "nature" | "abstract";
                cursor?: string;
                limit?: number;
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Public templates and the caller’s own */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplatePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            default: components["responses"]["ServerError"];
        };
    };
    createTemplate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTemplateRequest"];
            };
        };
        responses: {
            /** @description Create a template */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Template"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    getTemplate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A template */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Template"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    deleteTemplate: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The ETag of the resource as last read (its GET answers it), or `*`. When it is not the current one the answer is 412 and nothing changes: read it again and retry with the new ETag. Without it the change is made whatever the resource holds now.
                 * @example "3q2-7wK1bq6f0u1nF4mXy8cPz9Q"
                 */
                "If-Match"?: string;
                /**
                 * @description On a change or deletion: `*`, or ETags the resource must no longer have (weak comparison). When the resource exists and `*` is sent, or it has one of the ETags, the answer is 412 and nothing changes.
                 * @example *
                 */
                "If-None-Match"?: string;
            };
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Delete an own template */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            412: components["responses"]["PreconditionFailed"];
            default: components["responses"]["ServerError"];
        };
    };
    updateTemplate: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The ETag of the resource as last read (its GET answers it), or `*`. When it is not the current one the answer is 412 and nothing changes: read it again and retry with the new ETag. Without it the change is made whatever the resource holds now.
                 * @example "3q2-7wK1bq6f0u1nF4mXy8cPz9Q"
                 */
                "If-Match"?: string;
                /**
                 * @description On a change or deletion: `*`, or ETags the resource must no longer have (weak comparison). When the resource exists and `*` is sent, or it has one of the ETags, the answer is 412 and nothing changes.
                 * @example *
                 */
                "If-None-Match"?: string;
            };
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateTemplateRequest"];
            };
        };
        responses: {
            /** @description Change an own template */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Template"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    cancelUpload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                uploadId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cancel an upload whose file has not arrived; its storage and its place among the uploads in progress come back at once */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            default: components["responses"]["ServerError"];
        };
    };
    listWebhooks: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your webhook endpoints (never their secrets) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Webhook"][];
                        /** @description Null on the last page; otherwise send it back as `cursor` for the items after this page. */
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            default: components["responses"]["ServerError"];
        };
    };
    createWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateWebhookRequest"];
            };
        };
        responses: {
            /** @description Add a webhook endpoint; the signing secret (whsec_…) is shown only in this response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookWithSecret"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    getWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A webhook endpoint */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Remove a webhook endpoint and its delivery log */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    updateWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateWebhookRequest"];
            };
        };
        responses: {
            /** @description Change its URL, event types, description, or enable/disable it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["ContentTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            default: components["responses"]["ServerError"];
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The delivery log: status, attempts, last status code and latency, next attempt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WebhookDelivery"][];
                        /** @description Null on the last page; otherwise send it back as `cursor` for the items after this page. */
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    retryWebhookDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deliveryId: string;
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Send a delivery again now */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveryId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    rotateWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A new signing secret (shown once); the old one keeps signing beside it for 24 hours */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookWithSecret"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["ServerError"];
        };
    };
    sendWebhookTest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Send a webhook.test event to this endpoint */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveryId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["ServerError"];
        };
    };
    receiveClipDeletedEvent: {
        parameters: {
            query?: never;
            header: {
                "webhook-id": string;
                "webhook-signature": string;
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    type?: "clip.deleted";
                } & components["schemas"]["EventEnvelope"];
            };
        };
        responses: {
            /** @description Received; anything else (or no answer in 10 s) is retried */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    receiveJobCompletedEvent: {
        parameters: {
            query?: never;
            header: {
                "webhook-id": string;
                "webhook-signature": string;
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    type?: "job.completed";
                } & components["schemas"]["EventEnvelope"];
            };
        };
        responses: {
            /** @description Received; anything else (or no answer in 10 s) is retried */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    receiveJobCreatedEvent: {
        parameters: {
            query?: never;
            header: {
                "webhook-id": string;
                "webhook-signature": string;
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    type?: "job.created";
                } & components["schemas"]["EventEnvelope"];
            };
        };
        responses: {
            /** @description Received; anything else (or no answer in 10 s) is retried */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    receiveJobFailedEvent: {
        parameters: {
            query?: never;
            header: {
                "webhook-id": string;
                "webhook-signature": string;
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    type?: "job.failed";
                } & components["schemas"]["EventEnvelope"];
            };
        };
        responses: {
            /** @description Received; anything else (or no answer in 10 s) is retried */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    receiveJobProgressEvent: {
        parameters: {
            query?: never;
            header: {
                "webhook-id": string;
                "webhook-signature": string;
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    type?: "job.progress";
                } & components["schemas"]["EventEnvelope"];
            };
        };
        responses: {
            /** @description Received; anything else (or no answer in 10 s) is retried */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    receiveWebhookTestEvent: {
        parameters: {
            query?: never;
            header: {
                "webhook-id": string;
                "webhook-signature": string;
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    type?: "webhook.test";
                } & components["schemas"]["EventEnvelope"];
            };
        };
        responses: {
            /** @description Received; anything else (or no answer in 10 s) is retried */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
