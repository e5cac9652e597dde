/**
 * The 4xx errors a gpu-worker can answer a request the edge already checked, by status. The edge
 * forwards them to its client as they are (`ApiError.fromBody`), so the API documents them. The
 * worker's ClipError and EngineRequestError are typed by the first two lists, so those cannot
 * disagree with what is documented.
 */

/** Why a voice clip cannot be used (gpu-worker/audio/clip/errors.ts). */
export const CLIP_ERROR_CODES = {
  413: ['file_too_large'],
  415: ['unsupported_audio_format'],
  422: ['undecodable_audio', 'truncated_audio', 'clip_too_short', 'clip_too_long', 'clip_silent', 'clip_no_speech', 'clip_too_little_speech'],
} as const;
export type ClipErrorStatus = keyof typeof CLIP_ERROR_CODES;

/** An engine's refusal of a request it cannot serve (EngineRequestError), at the status the worker answers it with. */
export const ENGINE_ERROR_CODES = {
  400: ['empty_input', 'empty_description'],
  404: ['voice_not_found'],
  422: ['unsupported_language', 'voice_incompatible', 'clone_unsupported', 'design_unsupported', 'reference_too_short', 'clip_no_speech'],
} as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[keyof typeof ENGINE_ERROR_CODES][number];

/** A refusal a worker route can forward: a clip's, an engine's, or its own check of the model (gpu-worker/synthesis/plan.ts, gpu-worker/voices.ts). */
type WorkerRefusal = (typeof CLIP_ERROR_CODES)[ClipErrorStatus][number] | EngineErrorCode | 'model_not_found';

/** What each worker route can refuse a request the edge checked with. */
export const WORKER_ROUTE_ERROR_CODES = {
  synthesize: {
    400: ['empty_input'],
    404: ['model_not_found', 'voice_not_found'],
    422: ['unsupported_language', 'voice_incompatible'],
  },
  cloneVoice: {
    ...CLIP_ERROR_CODES,
    404: ['model_not_found'],
    422: [...CLIP_ERROR_CODES[422], 'clone_unsupported', 'reference_too_short'],
  },
  designVoice: {
    // empty_input: the preview the worker speaks.
    400: ['empty_description', 'empty_input'],
    404: ['model_not_found'],
    422: ['design_unsupported', 'unsupported_language'],
  },
} as const satisfies Record<string, Partial<Record<400 | 404 | 413 | 415 | 422, readonly WorkerRefusal[]>>>;
