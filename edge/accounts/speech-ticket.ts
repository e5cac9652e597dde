import type { ResponseFormat } from '../../shared/schemas/speech.ts';
import type { CacheStatus } from '../cache/cache-status.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { meteredStream, type StreamOutcome, type StreamProgress } from '../http/metered-stream.ts';
import { accountObject } from './account-stub.ts';
import { cacheHitChargeFor, chargeFor, deliveredAudioMs } from './settlement.ts';
import { type Admission, PROGRESS_INTERVAL_MS, type StreamContext } from './types.ts';

/** What the route tells the ticket about the stream it starts, for the charge and the ledger. */
export interface StreamUsage {
  model: string;
  voice: string;
  format: ResponseFormat;
  language: string;
  sampleRate: number;
  /** Bits per second the request asked for; absent: the format's default. */
  bitrate?: number;
  speed: number;
  /** Whether the audio came from the cache (charged at AUDIO_CACHE_HIT_PRICE when a hit); absent: not a speech request the cache saw (a job's chunk). */
  cache?: CacheStatus;
}

/** How an audio stream ended, and when (ms since the epoch). */
export type AudioEnd = StreamOutcome & { endedAt: number };
export interface MeteredAudio {
  model: string;
  /** What the audio cache did for the stream (request log, analytics); absent: a stream it did not see. */
  cache?: CacheStatus;
  ended: Promise<AudioEnd>;
}

/**
 * An admitted speech request: its credits are reserved and it holds a stream slot. The route
 * hands it the worker's body with `meter`; the ticket then renews the slot's lease while the
 * stream runs and, when it ends, settles the charge with what the ledger row needs.
 */
export interface SpeechTicket {
  readonly reserved: number;
  /** The version of the account's voice the request names, when it names one (see VoiceRegistry). */
  readonly voiceVersion: number | undefined;
  /** The account's audio-cache setting (admission reads it): false when the account turned the cache off. */
  readonly audioCache: boolean;
  meter(upstream: ReadableStream<Uint8Array>, usage: StreamUsage): ReadableStream<Uint8Array>;
  /** Once `meter` started the stream: the model speaking it, and how and when the stream ended (request log, analytics). */
  readonly audio: MeteredAudio | undefined;
}

export interface TicketOptions {
  env: Env;
  waitUntil(promise: Promise<unknown>): void;
  accountId: string;
  requestId: string;
  characters: number;
  /** Says whom the request is charged to: the key, and the client token it came with. */
  admission: Extract<Admission, { ok: true }>;
  /** The client's going away ends the stream as `client_closed`. */
  clientSignal?: AbortSignal;
}

const log = (level: 'warn' | 'error', requestId: string, message: string, fields: Record<string, unknown> = {}) =>
  console[level](JSON.stringify({ level, request_id: requestId, message, ...fields }));

/**
 * The ticket of an admitted request. While its stream runs it reports progress to the account's
 * object every PROGRESS_INTERVAL_MS, which renews the lease. When the stream ends it settles at
 * once (full charge when complete, the delivered audio's worth when cut short), sending the
 * delivered audio and the stream's context: the object queues the ledger row in the settlement's
 * transaction and its alarm writes it to D1 (with others, within a second). If the edge never hears the end, the reports stop,
 * the lease runs out and the object settles at the last report, with its row, the same way. `releaseUnused` frees the
 * reservation and the slot of a request that started no stream.
 */
export function openSpeechTicket(options: TicketOptions): SpeechTicket & { releaseUnused(): Promise<void> } {
  const { env, waitUntil, accountId, requestId, characters, admission, clientSignal } = options;
  const account = accountObject(env, accountId);
  const admittedAt = new Date();
  let usage: StreamUsage | undefined;
  let progress: StreamProgress | undefined;
  let audio: MeteredAudio | undefined;
  let finished = false;
  const audioMs = () => (usage && progress ? deliveredAudioMs(progress.bytes, usage.format, usage.sampleRate, usage.bitrate) : 0);
  // A cache hit is charged at AUDIO_CACHE_HIT_PRICE, in its progress reports as at its settlement.
  const chargeNow = (completed: boolean) => {
    if (!usage) return 0;
    const audio = { ms: audioMs(), speed: usage.speed, language: usage.language };
    return usage.cache === 'hit'
      ? cacheHitChargeFor(characters, { completed }, audio, edgeConfig(env).audioCache.hitPrice)
      : chargeFor(characters, { completed }, audio);
  };
  const firstAudioMs = () => (progress?.firstChunkAt == null ? null : Math.max(0, progress.firstChunkAt - admittedAt.getTime()));
  const context = (): StreamContext | undefined =>
    usage
      ? { model: usage.model, voice: usage.voice, time_to_first_audio_ms: firstAudioMs(), ...(usage.cache ? { cache: usage.cache } : {}) }
      : undefined;

  const report = () => {
    if (finished) return;
    const sent = account
      .progress({ request_id: requestId, charge: chargeNow(false), audio_ms: audioMs(), context: context() })
      .then((alive) => {
        if (!alive && !finished) log('warn', requestId, 'stream lease ran out while the request was running');
      })
      .catch((error) => log('warn', requestId, 'progress report failed', { error: String(error) }));
    waitUntil(sent);
  };
  const heartbeat = setInterval(report, PROGRESS_INTERVAL_MS);

  // The account's object queues the ledger row with the settlement and writes it to D1 itself:
  // nothing is left for this request to do, or to lose, once the settlement is made.
  const settle = async (outcome: StreamOutcome) => {
    const settlement = await account.settle({
      request_id: requestId,
      charge: chargeNow(outcome.completed),
      status: outcome.ending,
      stream: { audio_ms: audioMs(), context: context()! },
    });
    if (!settlement) return log('error', requestId, 'settlement found no lease', { account_id: accountId });
    // Already settled: the lease ran out first, and the row the object wrote (at the last report) stands.
    if (!settlement.applied) log('warn', requestId, 'stream settled after its lease ran out', { charged: settlement.charged });
  };

  return {
    reserved: admission.reserved,
    voiceVersion: admission.voice_version,
    audioCache: admission.audio_cache ?? true,
    get audio() {
      return audio;
    },
    meter(upstream, streamUsage) {
      usage = streamUsage;
      let ended!: (end: AudioEnd) => void;
      audio = { model: streamUsage.model, ...(streamUsage.cache ? { cache: streamUsage.cache } : {}), ended: new Promise<AudioEnd>((resolve) => (ended = resolve)) };
      const metered = meteredStream(upstream, {
        ...(clientSignal ? { clientSignal } : {}),
        onEnd: (outcome) => {
          ended({ ...outcome, endedAt: Date.now() });
          finished = true;
          clearInterval(heartbeat);
          if (!outcome.completed) log('warn', requestId, 'stream ended early', { bytes: outcome.bytes, ending: outcome.ending });
          waitUntil(settle(outcome).catch((error) => log('error', requestId, 'settlement failed', { error: String(error) })));
        },
      });
      progress = metered.progress;
      // No report now: admission gave the lease its context, and the first report comes within
      // PROGRESS_INTERVAL_MS with the time to first audio (a call here would sit in front of the first chunk).
      return metered.body;
    },
    async releaseUnused() {
      if (usage) return;
      // Nothing was streamed: nothing is charged, and the slot is free before the client hears back.
      finished = true;
      clearInterval(heartbeat);
      await account.settle({ request_id: requestId, charge: 0, status: 'failed' });
    },
  };
}
