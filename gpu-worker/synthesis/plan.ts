import { canResume, resolveBitrate, resolveSampleRate } from '../../shared/audio/formats.ts';
import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { isPause, type TextSegment, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { PlaybackClock } from '../engines/playback-clock.ts';
import type { Engine, EngineChunk, SynthesisRequest, VoiceSelection } from '../engines/types.ts';

/** What a synthesis request asks of this worker, checked before any slot or thread is taken. */
export interface SynthesisPlan {
  engine: Engine;
  /** The rate the client gets: the format's default unless the request named one it offers. */
  sampleRate: number;
  /** Bits per second: the one the request named, else the format's default at `sampleRate` (exact for PCM and G.711). */
  bitrate: number;
  /** The text in order, each stretch with its language. */
  segments: TextSegment[];
  /** The engine request for one segment. */
  engineRequest(segment: TextSegment): SynthesisRequest;
}

const unsupportedLanguage = (model: string, language: string) =>
  new ApiError(422, 'invalid_request_error', 'unsupported_language', `Model "${model}" does not speak "${language}".`, { param: 'language' });

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
  return engine;
}

/** A preset, or the profile the edge sent; `key` lets the engine cache what it decodes from it. */
const voiceSelection = ({ voice, voice_profile: custom }: WorkerSynthesisRequest): VoiceSelection =>
  custom ? { kind: 'profile', key: `${custom.id}@${custom.version}`, profile: custom.profile } : { kind: 'preset', id: voice };

export function planSynthesis(request: WorkerSynthesisRequest, engines: Map<string, Engine>): SynthesisPlan {
  const engine = engineFor(request, engines);
  const segments = (request.segments ?? [{ text: request.input, language: request.language }]).map((segment) => {
    // Pauses, rates and source runs are being built (issue 25); until then a worker refuses them.
    if (isPause(segment) || segment.source || segment.rate !== undefined || segment.emphasis) {
      throw invalidRequest('invalid_parameter', 'This worker does not yet take pauses, rates, emphasis or source runs in segments.', 'segments');
    }
    return segment;
  });
  for (const { language } of segments) {
    if (!engine.info.languages.includes(language)) throw unsupportedLanguage(request.model, language);
  }
  const rate = resolveSampleRate(request.response_format, request.sample_rate);
  if ('error' in rate) throw invalidRequest('unsupported_sample_rate', rate.error, 'sample_rate');
  const bitrate = resolveBitrate(request.response_format, rate.rate, request.bitrate);
  if ('error' in bitrate) throw invalidRequest('unsupported_bitrate', bitrate.error, 'bitrate');
  if (request.resume_at_byte && !canResume(request.response_format, engine.info)) {
    throw invalidRequest('not_resumable', `A ${request.response_format} stream of model "${request.model}" cannot be resumed.`, 'resume_at_byte');
  }
  const voice = voiceSelection(request);
  return {
    engine,
    sampleRate: rate.rate,
    bitrate: bitrate.bitrate,
    segments,
    engineRequest: (segment) => ({
      requestId: request.request_id,
      text: segment.text,
      voice,
      language: segment.language,
      speed: request.speed,
      ...(request.seed === undefined ? {} : { seed: request.seed }),
      ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
      ...(request.timestamps ? { words: true } : {}),
    }),
  };
}

/**
 * The segments' audio one after the other, as one stream; a later segment's words move by the
 * characters (code points) and samples of those before it. `playback` follows the audio handed
 * out, so the engine puts this stream's next piece of work in line by its lead.
 */
export async function* speakSegments(plan: SynthesisPlan, signal: AbortSignal, playback = new PlaybackClock()): AsyncGenerator<EngineChunk> {
  const rate = plan.engine.info.sample_rate;
  let chars = 0;
  let samples = 0;
  for (const segment of plan.segments) {
    const base = samples;
    for await (const chunk of plan.engine.synthesize({ ...plan.engineRequest(segment), playback }, signal)) {
      const words = chunk.words?.map((word) => ({
        charStart: word.charStart + chars,
        charEnd: word.charEnd + chars,
        startSample: word.startSample + base,
        endSample: word.endSample + base,
      }));
      samples += chunk.audio.length;
      // Counted once the consumer is done with it: while it works on a chunk, the deadline is that chunk's.
      yield words ? { audio: chunk.audio, words } : chunk;
      playback.advance(chunk.audio.length / rate);
    }
    chars += [...segment.text].length;
  }
}
