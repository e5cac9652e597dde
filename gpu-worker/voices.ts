import type { ServerResponse } from 'node:http';
import { OUTPUT_SAMPLE_RATE } from '../shared/audio/formats.ts';
import { concatSamples } from '../shared/audio/pcm.ts';
import { ApiError } from '../shared/errors.ts';
import {
  VoiceCloneParamsSchema,
  VoiceDesignRequestSchema,
  type WorkerVoiceResult,
} from '../shared/protocol/worker-api.ts';
import type { ModelCapabilities } from '../shared/schemas/catalog.ts';
import { readReferenceClip } from './audio/clip/index.ts';
import { resampleAll } from './audio/resampler.ts';
import { wavFile } from './audio/wav-file.ts';
import type { Engine } from './engines/types.ts';
import { parseJson, parseWith, toApiError } from './http/errors.ts';
import { clientGoneSignal, sendError, sendJson } from './http/io.ts';
import type { Logger } from './log.ts';
import type { Scheduler } from './scheduler.ts';

export interface VoiceDeps {
  engines: Map<string, Engine>;
  scheduler: Scheduler;
  log: Logger;
}

/** The engine that makes this kind of voice for `model`, or the 404/422 that says why not. */
function voiceEngine(model: string, ability: 'clone' | 'design', engines: Map<string, Engine>): Engine & Required<Pick<Engine, 'createVoice'>> {
  const engine = engines.get(model);
  if (!engine) throw new ApiError(404, 'not_found_error', 'model_not_found', `This worker does not serve model "${model}".`, { param: 'model' });
  const level: ModelCapabilities['clone'] = engine.info.capabilities[ability];
  if (level === 'none' || !engine.createVoice) {
    throw new ApiError(422, 'invalid_request_error', `${ability}_unsupported`, `Model "${model}" cannot ${ability} voices.`, { param: 'model' });
  }
  return engine as Engine & Required<Pick<Engine, 'createVoice'>>;
}

/**
 * Runs voice work in a scheduler slot (it is model work like synthesis), stopping when the edge
 * goes away, and answers JSON: the result, or the error that says what was wrong with the input.
 */
async function inSlot(res: ServerResponse, deps: VoiceDeps, requestId: string | undefined, work: (signal: AbortSignal) => Promise<WorkerVoiceResult>) {
  const clientGone = clientGoneSignal(res);
  let release: (() => void) | undefined;
  const started = performance.now();
  try {
    release = await deps.scheduler.acquire(clientGone);
    const result = await work(clientGone);
    sendJson(res, 200, result);
    deps.log('info', 'voice created', {
      request_id: requestId,
      model: result.profile.model,
      kind: result.profile.kind,
      reference_s: result.reference.duration_seconds,
      total_ms: Math.round(performance.now() - started),
    });
  } catch (error) {
    if (clientGone.aborted) return void deps.log('info', 'voice creation cancelled', { request_id: requestId });
    const apiError = toApiError(error);
    if (!apiError) deps.log('error', 'voice creation failed', { request_id: requestId, error: String(error) });
    else deps.log('info', 'voice refused', { request_id: requestId, code: apiError.code });
    sendError(res, apiError ?? new ApiError(500, 'internal_error', 'voice_failed', 'Creating the voice failed.'));
  } finally {
    release?.();
  }
}

const encodedWav = (samples: Float32Array, sampleRate: number) => ({
  format: 'wav' as const,
  sample_rate: sampleRate,
  duration_seconds: samples.length / sampleRate,
  base64: Buffer.from(wavFile(samples, sampleRate)).toString('base64'),
});

/**
 * `POST /v1/voices/clone?model=…`: the uploaded clip in the body. Decodes and checks it (any
 * format phones and browsers record; 3 to 30 s with speech), then has the engine make its profile.
 */
export async function handleCloneVoice(res: ServerResponse, body: Uint8Array, query: URLSearchParams, deps: VoiceDeps) {
  const params = parseWith(VoiceCloneParamsSchema, Object.fromEntries(query));
  const engine = voiceEngine(params.model, 'clone', deps.engines);
  await inSlot(res, deps, params.request_id, async (signal) => {
    const clip = await readReferenceClip(body, { signal, source: params.source });
    const profile = await engine.createVoice(
      {
        kind: 'audio',
        samples: clip.samples,
        sampleRate: clip.sampleRate,
        ...(params.transcript ? { transcript: params.transcript } : {}),
        ...(params.language ? { language: params.language } : {}),
        ...(params.description ? { description: params.description } : {}),
      },
      signal,
    );
    return {
      profile,
      reference: {
        format: clip.format,
        duration_seconds: clip.durationSeconds,
        speech_seconds: clip.speechSeconds,
        ...(params.reference === '1' ? { audio: encodedWav(clip.samples, clip.sampleRate) } : {}),
      },
    };
  });
}

/**
 * `POST /v1/voices/design`: a description in, the engine's profile and a spoken preview out. The
 * edge keeps the preview as the voice's reference clip, so models that clone can use it too.
 */
export async function handleDesignVoice(res: ServerResponse, body: Uint8Array, deps: VoiceDeps) {
  const request = parseWith(VoiceDesignRequestSchema, parseJson(body));
  const engine = voiceEngine(request.model, 'design', deps.engines);
  if (!engine.info.languages.includes(request.language)) {
    throw new ApiError(422, 'invalid_request_error', 'unsupported_language', `Model "${request.model}" does not speak "${request.language}".`, { param: 'language' });
  }
  await inSlot(res, deps, request.request_id, async (signal) => {
    const profile = await engine.createVoice({ kind: 'description', text: request.description, language: request.language }, signal);
    const chunks: Float32Array[] = [];
    const audio = engine.synthesize(
      {
        requestId: request.request_id,
        text: request.preview_text,
        voice: { kind: 'profile', key: `preview-${request.request_id}@0`, profile },
        language: request.language,
        speed: 1,
        // A fixed seed: the preview, and so the voice cloned from it, is reproducible.
        seed: request.seed ?? 0,
      },
      signal,
    );
    for await (const chunk of audio) chunks.push(chunk.audio);
    const native = concatSamples(chunks);
    const samples = await resampleAll(native, engine.info.sample_rate, OUTPUT_SAMPLE_RATE);
    const preview = encodedWav(samples, OUTPUT_SAMPLE_RATE);
    return { profile, reference: { format: 'wav', duration_seconds: preview.duration_seconds, speech_seconds: preview.duration_seconds, audio: preview } };
  });
}
