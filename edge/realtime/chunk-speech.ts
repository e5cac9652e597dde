import type { Context } from 'hono';
import type { TimedAudioEnd, TimedAudioEvent, WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import type { RealtimeConfig } from '../../shared/schemas/realtime.ts';
import { ApiError } from '../../shared/errors.ts';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import { deliveredAudioMs } from '../accounts/settlement.ts';
import type { AudioEnd } from '../accounts/speech-ticket.ts';
import type { AppEnv } from '../env.ts';
import { splitTimedAudio } from '../http/timed-audio-split.ts';
import type { Caller } from '../middleware/caller-auth.ts';
import { admitSpeech } from '../middleware/limits.ts';
import type { SpeechSummary } from '../middleware/request-summary.ts';
import { forwardedError } from '../pool/worker-answers.ts';
import { dropReservation, type WorkerPool } from '../pool/worker-pool.ts';
import { resolveSpeech } from '../speech/resolve.ts';
import { streamUsage, workerRequestFor } from '../speech/worker-request.ts';
import { applyDictionaries } from '../pronunciation/apply-rules.ts';
import type { NotHonored } from '../pronunciation/not-honored.ts';
import { plainTextScript } from '../pronunciation/script.ts';
import type { DictionaryRules } from '../../shared/schemas/pronunciation.ts';
import type { CacheStatus } from '../cache/cache-status.ts';
import { SpeechCache } from '../cache/speech-cache.ts';
import { TIMED } from '../cache/rendering-kinds.ts';
import { reportChunk } from './chunk-report.ts';

/** What every chunk of a socket shares: who speaks, how, and for whom. */
export interface ChunkSpeaker {
  c: Context<AppEnv>;
  pool: WorkerPool;
  /** The key or client token that opened the socket. */
  caller: Caller;
  /** The served model and the voice as named (or the model's default), which a client token must allow. */
  model: string;
  voice: string;
  /** The socket's id: its chunks share one stream slot under it. */
  sessionId: string;
  config: RealtimeConfig;
  sampleRate: number;
  /** Bits per second `config` asked for (checked); absent: the format's default. */
  bitrate: number | undefined;
  /** The pronunciation dictionaries `config` named, pinned when it was read: applied to every chunk. */
  dictionaries: DictionaryRules[];
  /**
   * Set when the socket's first chunk starts. Only that chunk may be shed (503 `pool_saturated`):
   * a socket that has begun to speak is a playing stream, and its later chunks are never refused
   * for load. Cleared again if the first chunk is refused, so the next one is judged as first.
   */
  started?: boolean;
}

/** A piece of a chunk's audio and the words that start in it (times and offsets within the chunk). */
export interface AudioPiece {
  bytes: Uint8Array;
  words: WordTimestamp[];
}

/** A chunk being spoken: its audio in order as it comes, and what was handed on so far. */
export interface ChunkAudio {
  pieces: AsyncGenerator<AudioPiece>;
  /** The worker's summary once the audio ended whole (exact length); null before or if cut. */
  end(): TimedAudioEnd | null;
  /** Audio ms of the bytes read from `pieces` so far. */
  deliveredMs(): number;
  /** Markup the model could not say as asked (offsets in the chunk's text). */
  notHonored: NotHonored[];
}

// The next chunk is synthesized while this one plays: its answer is read ahead into memory (a
// chunk is at most a few hundred characters) so the worker is not held back by the socket.
// workerd takes only an integer high-water mark: this many frames is more than any chunk makes.
const READ_AHEAD_EVENTS = 1_000_000;
const readAhead = () => new TransformStream<TimedAudioEvent, TimedAudioEvent>(undefined, { highWaterMark: READ_AHEAD_EVENTS });

/**
 * Speaks one chunk of a context: admits its characters against the account (a share of the
 * socket's one stream slot, not a request of its own), resolves voice and language for its
 * text, asks the pool for timed audio, and meters what is read, so the chunk is charged what
 * was handed to the socket. Throws the refusal (ApiError) when it cannot start. Either way the
 * chunk is logged and counted as a request is (chunk-report.ts).
 */
export async function speakChunk(speaker: ChunkSpeaker, text: string, chunkId: string, signal: AbortSignal): Promise<ChunkAudio> {
  const characters = [...text].length;
  const startedAt = Date.now();
  const report = (status: number, speech: Partial<SpeechSummary> & Pick<SpeechSummary, 'outcome'>, endedAt = Date.now()) =>
    reportChunk(speaker.c.env, {
      id: chunkId,
      path: speaker.c.req.path,
      accountId: speaker.caller.accountId,
      status,
      startedAt,
      endedAt,
      speech: { model: undefined, cache: undefined, format: speaker.config.response_format, characters, ttfbMs: null, bytes: 0, ...speech },
    });
  try {
    const { audio, model, cache } = await admitAndSpeak(speaker, { text, characters, chunkId }, signal);
    void audio.ended.then(({ ending, firstChunkAt, bytes, endedAt }) =>
      report(200, { model, cache, outcome: ending, ttfbMs: firstChunkAt === null ? null : firstChunkAt - startedAt, bytes }, endedAt),
    );
    return audio;
  } catch (error) {
    report(error instanceof ApiError ? error.status : 500, { outcome: 'no_audio' });
    throw error;
  } finally {
    dropReservation(chunkId); // sent by now, or never to be
  }
}

async function admitAndSpeak(
  speaker: ChunkSpeaker,
  { text, characters, chunkId }: { text: string; characters: number; chunkId: string },
  signal: AbortSignal,
): Promise<{ audio: ChunkAudio & { ended: Promise<AudioEnd> }; model: string; cache: CacheStatus }> {
  const { c, pool, config } = speaker;
  const first = !speaker.started;
  speaker.started = true;
  if (first) {
    try {
      // Before admission, as over HTTP: a shed chunk takes no credits.
      const model = (await pool.models()).get(speaker.model);
      if (model) pool.shedIfSaturated(model, chunkId);
    } catch (error) {
      speaker.started = false;
      throw error;
    }
  }
  const { ticket } = await admitSpeech(c, {
    caller: speaker.caller,
    scope: 'realtime',
    model: speaker.model,
    voice: speaker.voice,
    requestId: chunkId,
    characters,
    voiceId: isCustomVoiceId(speaker.voice) ? speaker.voice : undefined,
    socket: { streamId: speaker.sessionId },
    clientSignal: signal,
  });
  try {
    const models = await pool.models();
    const request = { ...config, input: text, stream_format: 'audio' as const };
    const caller = { accountId: speaker.caller.accountId, requestId: chunkId, voiceVersion: ticket.voiceVersion, signal };
    const script = applyDictionaries(plainTextScript(text), speaker.dictionaries);
    const resolved = await resolveSpeech(c, request, pool, models, caller, script);
    const output = { format: config.response_format, sampleRate: speaker.sampleRate, bitrate: speaker.bitrate };
    const workerRequest = workerRequestFor(chunkId, resolved, request, output);
    // Each chunk is a speech of its own to the audio cache: a greeting said again is a hit.
    const cache = new SpeechCache(c.env, (promise) => c.executionCtx.waitUntil(promise), {
      accountId: caller.accountId,
      mode: config.cache,
      model: resolved.model.info,
      workerRequest,
      dictionaries: resolved.dictionaries,
    });
    const render = () => pool.synthesizeTimed(resolved.model, workerRequest, signal);
    const found = await cache.settle(TIMED, await cache.find(TIMED, render), ticket.audioCache, render);
    const { response, events } = found.answer;
    if (!response.ok || !events) throw forwardedError(response.status, await response.json().catch(() => null), 'speech');

    const split = splitTimedAudio(events.pipeThrough(readAhead()));
    const audio = ticket.meter(split.audio, { ...streamUsage(resolved, output, config.speed), cache: found.cache });
    let bytesRead = 0;
    async function* pieces(): AsyncGenerator<AudioPiece> {
      const reader = audio.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytesRead += value.byteLength;
          yield { bytes: value, words: split.takeWords() };
        }
      } finally {
        // Stopped early (a cancel): the worker stops, and the chunk is charged what was read.
        await reader.cancel().catch(() => {});
      }
    }
    return {
      audio: {
        pieces: pieces(),
        end: split.end,
        deliveredMs: () => deliveredAudioMs(bytesRead, config.response_format, speaker.sampleRate, speaker.bitrate),
        notHonored: resolved.notHonored,
        ended: ticket.audio!.ended,
      },
      model: resolved.model.info.id,
      cache: found.cache,
    };
  } finally {
    await ticket.releaseUnused();
  }
}
