import type { IncomingMessage, ServerResponse } from 'node:http';
import { FORMATS } from '../../shared/audio/formats.ts';
import { ApiError } from '../../shared/errors.ts';
import { AUDIO_HEADERS, isPause, WORKER_TIMINGS, WorkerSynthesisRequestSchema, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { formatServerTiming } from '../../shared/protocol/server-timing.ts';
import { TIMED_AUDIO_CONTENT_TYPE } from '../../shared/protocol/timed-audio.ts';
import { createEncoder, type StreamEncoder } from '../audio/encoders/index.ts';
import { createResampler, type StreamResampler } from '../audio/resampler.ts';
import { PlaybackClock } from '../engines/playback-clock.ts';
import type { Engine, EngineChunk } from '../engines/types.ts';
import { parseJson, parseWith, toApiError } from '../http/errors.ts';
import { clientGoneSignal, sendError } from '../http/io.ts';
import type { Logger } from '../log.ts';
import type { WorkerMetrics } from '../metrics/registry.ts';
import { streamMetrics } from '../metrics/stream.ts';
import type { RecentMedian } from '../pool/recent-median.ts';
import type { Scheduler } from '../scheduler.ts';
import { planSynthesis, speakSegments } from './plan.ts';
import { bodyWriter, wordTimestamps } from './timed-writer.ts';
import { mainThreadTurns } from './turns.ts';

/** Writes are batched (see WriteBatching) once the listener has this much audio in hand, up to this much audio a write. */
const BATCH_WHEN_AHEAD_MS = 1_000;
const BATCH_AUDIO_S = 1;

export interface SynthesizeDeps {
  engines: Map<string, Engine>;
  scheduler: Scheduler;
  log: Logger;
  /** Times to first audio, for the heartbeat's load. */
  firstAudio: RecentMedian;
  metrics: WorkerMetrics;
}

/**
 * `POST /v1/synthesize`: engine output, resampled and encoded, written as it comes with
 * backpressure (the engine runs only as fast as the client reads). Errors before the first audio
 * answer JSON; a failure after it cuts the connection, so a short body never looks whole.
 */
export async function handleSynthesize(req: IncomingMessage, res: ServerResponse, body: Uint8Array, deps: SynthesizeDeps): Promise<void> {
  const clientGone = clientGoneSignal(res);
  const started = performance.now();
  const metrics = streamMetrics(deps.metrics, deps.engines);
  let request: WorkerSynthesisRequest | undefined;
  let release: (() => void) | undefined;
  let iterator: AsyncIterator<EngineChunk> | undefined;
  let resamplerReady: Promise<StreamResampler> | undefined;
  let encoderReady: Promise<StreamEncoder> | undefined;
  let samplesOut = 0;
  let sampleRate = 0;
  // Chunks pulled from the engine: shows in the logs that a cancelled request stopped the model.
  let engineSteps = 0;
  const step = async (engineAudio: AsyncIterator<EngineChunk>): Promise<IteratorResult<EngineChunk>> => {
    const stepStarted = performance.now();
    const result = await engineAudio.next();
    if (!result.done) {
      engineSteps++;
      metrics.engineStep(performance.now() - stepStarted);
    }
    return result;
  };
  try {
    request = parseWith(WorkerSynthesisRequestSchema, parseJson(body));
    metrics.model(request.model);
    const plan = planSynthesis(request, deps.engines);
    sampleRate = plan.sampleRate;
    const priority = request.priority ?? 'live';
    release = await deps.scheduler.acquire(clientGone, priority);
    const queueMs = performance.now() - started;
    // The engine starts first; resampler and encoder are made while it works toward its first audio.
    // The stream's lead counts from its arrival, so time queued for a slot counts against it; a
    // background stream's work goes after live streams' (see PlaybackClock).
    const playback = new PlaybackClock({ startedAt: started, background: priority === 'background' });
    iterator = speakSegments(plan, clientGone, playback)[Symbol.asyncIterator]();
    const firstStep = step(iterator);
    resamplerReady = createResampler(plan.engine.info.sample_rate, sampleRate);
    const timed = request.timestamps ?? false;
    const batch = { ahead: () => playback.deadline() - performance.now() > BATCH_WHEN_AHEAD_MS, maxBytes: (plan.bitrate / 8) * BATCH_AUDIO_S };
    const writer = bodyWriter(res, { skip: request.resume_at_byte ?? 0, timed, batch }, clientGone);
    encoderReady = createEncoder(request.response_format, sampleRate, writer.audio, request.bitrate);

    // Wait for the first audio before answering, so that an engine's refusal is still a JSON error.
    const [first, resampler, encoder] = await Promise.all([firstStep, resamplerReady, encoderReady]);
    const firstAudioMs = performance.now() - started;
    deps.firstAudio.record(Math.round(firstAudioMs));
    metrics.firstAudio(firstAudioMs);
    await writer.open({
      'content-type': timed ? TIMED_AUDIO_CONTENT_TYPE : FORMATS[request.response_format].contentType,
      ...(timed ? { [AUDIO_HEADERS.format]: request.response_format } : {}),
      'cache-control': 'no-store',
      'x-request-id': request.request_id,
      'server-timing': formatServerTiming({ [WORKER_TIMINGS.queue]: queueMs, [WORKER_TIMINGS.firstAudio]: firstAudioMs }),
      [AUDIO_HEADERS.sampleRate]: String(sampleRate),
      [AUDIO_HEADERS.model]: request.model,
      [AUDIO_HEADERS.voice]: request.voice,
      [AUDIO_HEADERS.language]: request.language,
      [AUDIO_HEADERS.modelVersion]: plan.engine.info.version,
    });
    const emit = async (samples: Float32Array) => {
      samplesOut += samples.length;
      metrics.audio(samples.length / sampleRate);
      await encoder.write(samples);
    };
    const toTimestamps = wordTimestamps(request.input, plan.engine.info.sample_rate);
    for (let next = first; !next.done; next = await step(iterator)) {
      // One chunk a turn, earliest deadline first: a new stream's first chunk goes ahead of chunks
      // other streams' engines made ahead, and a sentence made at once is not all encoded in one go.
      await mainThreadTurns.take(playback.deadline(), clientGone);
      // A word goes out before the audio that holds its start.
      if (next.value.words) await writer.words(toTimestamps(next.value.words));
      await emit(resampler.push(next.value.audio));
    }
    // An engine stops quietly on abort (even while its work waited in line): that is a cancel, not an end.
    clientGone.throwIfAborted();
    await emit(resampler.end());
    await encoder.end();
    await writer.end({ audio_ms: (samplesOut / sampleRate) * 1000, alignment: plan.engine.wordAlignment });
    res.end();
    metrics.completed(performance.now() - started - queueMs, samplesOut / sampleRate);
    deps.log('info', 'synthesized', {
      request_id: request.request_id,
      priority,
      model: request.model,
      format: request.response_format,
      languages: plan.segments.flatMap((segment) => (isPause(segment) ? [] : [segment.language])),
      pauses: plan.segments.filter(isPause).length,
      characters: request.input.length,
      audio_ms: Math.round((samplesOut / sampleRate) * 1000),
      bytes: writer.sent.bytes,
      queue_ms: Math.round(queueMs),
      first_audio_ms: Math.round(firstAudioMs),
      engine_steps: engineSteps,
      ...(request.resume_at_byte ? { resumed_at_byte: request.resume_at_byte } : {}),
      total_ms: Math.round(performance.now() - started),
    });
  } catch (error) {
    const apiError = toApiError(error);
    if (clientGone.aborted) {
      metrics.ended('cancelled');
      deps.log('info', 'synthesis cancelled', {
        request_id: request?.request_id,
        priority: request?.priority ?? 'live',
        audio_ms: sampleRate ? Math.round((samplesOut / sampleRate) * 1000) : 0,
        engine_steps: engineSteps,
        total_ms: Math.round(performance.now() - started),
      });
    } else if (!res.headersSent) {
      // A refusal is the request's or the load's doing; anything else is the worker's failure.
      metrics.ended(apiError ? 'refused' : 'failed');
      if (!apiError) deps.log('error', 'synthesis failed', { request_id: request?.request_id, error: String(error) });
      sendError(res, apiError ?? new ApiError(500, 'internal_error', 'synthesis_failed', 'Synthesis failed.'));
    } else {
      metrics.ended('failed');
      deps.log('error', 'synthesis failed mid-stream', { request_id: request?.request_id, error: String(error) });
      res.destroy(error as Error);
    }
  } finally {
    await iterator?.return?.();
    (await encoderReady?.catch(() => undefined))?.close();
    (await resamplerReady?.catch(() => undefined))?.close();
    release?.();
  }
}
