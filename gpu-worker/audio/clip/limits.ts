import { MAX_CLIP_BYTES } from '../../../shared/protocol/worker-api.ts';

/** The rate every checked clip comes out at: what the cloning models read. */
export const CLIP_SAMPLE_RATE = 24_000;

/** What a reference clip must hold to clone a voice from. */
export const CLIP_LIMITS = Object.freeze({ minSeconds: 3, maxSeconds: 30, minSpeechSeconds: 2 });

/** Uploads are at most this large (the edge and the worker's body limit refuse larger ones first). */
export { MAX_CLIP_BYTES };

/** Below this much detected speech a clip holds none at all (noise, hiss), not just too little. */
export const SPEECH_FOUND_SECONDS = 0.5;

/** A clip with at least this share of its 50 ms frames at one steady level is a tone, hum or hiss, not speech. */
export const STEADY_SHARE = 0.9;

/** A clip whose RMS level is under this is silent: a muted or dead microphone. */
export const SILENCE_DBFS = -60;

/** Decoding (process start, decode, resampling) gets this long unless the caller says otherwise. */
export const DECODE_TIMEOUT_MS = 15_000;

/** Resident memory the decode process may reach (JS heap, buffers, WebAssembly memory) before it is killed. */
export const DECODE_MEMORY_BYTES = 512 * 1024 * 1024;
