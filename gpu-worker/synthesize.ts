import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_TYPES, OUTPUT_SAMPLE_RATE } from '../shared/audio/formats.ts';
import { ApiError, invalidRequest } from '../shared/errors.ts';
import { AUDIO_HEADERS, WorkerSynthesisRequestSchema, type WorkerSynthesisRequest } from '../shared/protocol/worker-api.ts';
import { createEncoder } from './audio/encoders.ts';
import { createResampler, type StreamResampler } from './audio/resampler.ts';
import type { Engine, VoiceSelection } from './engines/types.ts';
import { parseJson, parseWith, toApiError } from './http/errors.ts';
import { sendError, write } from './http/io.ts';
import type { Logger } from './log.ts';
import type { RecentMedian } from './pool/recent-median.ts';
import type { Scheduler } from './scheduler.ts';

export interface SynthesizeDeps {
  engines: Map<string, Engine>;
  scheduler: Scheduler;
  log: Logger;
  /** Times to first audio, for the heartbeat's load. */
  firstAudio: RecentMedian;
}

/** Checks the request against what the engine declares, before any slot or thread is taken. */
function engineFor(request: WorkerSynthesisRequest, engines: Map<string, Engine>): Engine {
  const engine = engines.get(request.model);
  if (!engine) {
    throw new ApiError(404, 'not_found_error', 'model_not_found', `This worker does not serve model "${request.model}".`, { param: 'model' });
  }
  if (request.voice_profile) {
    if (request.voice_profile.id !== request.voice) throw invalidRequest('invalid_parameter', 'voice must name voice_profile.id.', 'voice');
  } else if (!engine.info.voices.some((voice) => voice.id === request.voice)) {
    throw new ApiError(404, 'not_found_error', 'voice_not_found', `Voice "${request.voice}" does not exist for model "${request.model}".`, {
      param: 'voice',
    });
  }
  if (!engine.info.languages.includes(request.language)) {
    throw new ApiError(422, 'invalid_request_error', 'unsupported_language', `Model "${request.model}" does not speak "${request.language}".`, {
      param: 'language',
    });
  }
  return engine;
}

/** A preset, or the profile the edge sent; `key` lets the engine cache what it decodes from it. */
const voiceSelection = ({ voice, voice_profile: custom }: WorkerSynthesisRequest): VoiceSelection =>
  custom ? { kind: 'profile', key: `${custom.id}@${custom.version}`, profile: custom.profile } : { kind: 'preset', id: voice };

/**
 * `POST /v1/synthesize`: engine output, resampled to 24 kHz and encoded, written as it comes
 * with backpressure (the engine runs only as fast as the client reads). Errors before the first
 * audio answer JSON; a failure after it cuts the connection, so a short body never looks whole.
 */
export async function handleSynthesize(req: IncomingMessage, res: ServerResponse, body: Uint8Array, deps: SynthesizeDeps): Promise<void> {
  const cancel = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) cancel.abort(new Error('client went away'));
  });
  const started = performance.now();
  let request: WorkerSynthesisRequest | undefined;
  let release: (() => void) | undefined;
  let iterator: AsyncIterator<Float32Array> | undefined;
  let resamplerReady: Promise<StreamResampler> | undefined;
  let samplesOut = 0;
  // Chunks pulled from the engine: shows in the logs that a cancelled request stopped the model.
  let engineSteps = 0;
  const step = async (engineAudio: AsyncIterator<Float32Array>): Promise<IteratorResult<Float32Array>> => {
    const result = await engineAudio.next();
    if (!result.done) engineSteps++;
    return result;
  };
  try {
    request = parseWith(WorkerSynthesisRequestSchema, parseJson(body));
    const engine = engineFor(request, deps.engines);
    release = await deps.scheduler.acquire(cancel.signal);
    resamplerReady = createResampler(engine.info.sample_rate, OUTPUT_SAMPLE_RATE);
    const encoder = createEncoder(request.response_format, OUTPUT_SAMPLE_RATE);
    iterator = engine
      .synthesize(
        {
          requestId: request.request_id,
          text: request.input,
          voice: voiceSelection(request),
          language: request.language,
          speed: request.speed,
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
        },
        cancel.signal,
      )
      [Symbol.asyncIterator]();

    // Wait for the first audio before answering, so that an engine's refusal is still a JSON error.
    // The resampler is made meanwhile, off the path to the first byte.
    const [resampler, first] = await Promise.all([resamplerReady, step(iterator)]);
    const firstAudioMs = performance.now() - started;
    deps.firstAudio.record(Math.round(firstAudioMs));
    let next = first;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[request.response_format],
      'cache-control': 'no-store',
      'x-request-id': request.request_id,
      [AUDIO_HEADERS.sampleRate]: String(OUTPUT_SAMPLE_RATE),
      [AUDIO_HEADERS.model]: request.model,
      [AUDIO_HEADERS.voice]: request.voice,
      [AUDIO_HEADERS.language]: request.language,
    });
    // A resumed stream continues one the client already has: no header, and what it has is skipped.
    let skip = request.resume_at_sample ?? 0;
    if (skip === 0) await write(res, encoder.start(), cancel.signal);
    const emit = async (samples: Float32Array) => {
      const dropped = Math.min(skip, samples.length);
      skip -= dropped;
      samplesOut += samples.length - dropped;
      await write(res, encoder.encode(samples.subarray(dropped)), cancel.signal);
    };
    while (!next.done) {
      await emit(resampler.push(next.value));
      next = await step(iterator);
    }
    await emit(resampler.end());
    res.end();
    deps.log('info', 'synthesized', {
      request_id: request.request_id,
      model: request.model,
      characters: request.input.length,
      audio_ms: Math.round((samplesOut / OUTPUT_SAMPLE_RATE) * 1000),
      first_audio_ms: Math.round(firstAudioMs),
      engine_steps: engineSteps,
      ...(request.resume_at_sample ? { resumed_at_sample: request.resume_at_sample } : {}),
      total_ms: Math.round(performance.now() - started),
    });
  } catch (error) {
    const apiError = toApiError(error);
    if (cancel.signal.aborted) {
      deps.log('info', 'synthesis cancelled', {
        request_id: request?.request_id,
        audio_ms: Math.round((samplesOut / OUTPUT_SAMPLE_RATE) * 1000),
        engine_steps: engineSteps,
      });
    } else if (!res.headersSent) {
      if (!apiError) deps.log('error', 'synthesis failed', { request_id: request?.request_id, error: String(error) });
      sendError(res, apiError ?? new ApiError(500, 'internal_error', 'synthesis_failed', 'Synthesis failed.'));
    } else {
      deps.log('error', 'synthesis failed mid-stream', { request_id: request?.request_id, error: String(error) });
      res.destroy(error as Error);
    }
  } finally {
    await iterator?.return?.();
    (await resamplerReady?.catch(() => undefined))?.close();
    release?.();
  }
}
