import { concatSamples } from '../../shared/audio/pcm.ts';
import { canResume, resolveBitrate, resolveSampleRate } from '../../shared/audio/formats.ts';
import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { isPause, type SpeechSegment, type TextSegment, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { PlaybackClock } from '../engines/playback-clock.ts';
import type { Engine, EngineChunk, EngineWord, Pronunciation, SynthesisRequest, VoiceSelection } from '../engines/types.ts';
import { FADE_SECONDS, SoundEnd, SoundStart } from './pause-edges.ts';
import { SourceWords } from './source-words.ts';

/** What a synthesis request asks of this worker, checked before any slot or thread is taken. */
export interface SynthesisPlan {
  engine: Engine;
  /** The rate the client gets: the format's default unless the request named one it offers. */
  sampleRate: number;
  /** Bits per second: the one the request named, else the format's default at `sampleRate` (exact for PCM and G.711). */
  bitrate: number;
  /** What to say in order: text in its language (rate, emphasis, source runs), and pauses. */
  segments: SpeechSegment[];
  /** The engine request for one segment. */
  engineRequest(segment: TextSegment): SynthesisRequest;
}

/** The engine's speed range (SynthesisRequest.speed): a segment's rate times the request's speed is kept in it. */
const MIN_SPEED = 0.25;
const MAX_SPEED = 4;
/** Silence goes out in pieces this long, as an engine's audio would. */
const PAUSE_PIECE_SECONDS = 0.5;

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

/** A stretch of the segment's text said from IPA, from the runs that carry `ipa`. */
function pronunciations(segment: TextSegment): Pronunciation[] {
  const stretches: Pronunciation[] = [];
  let at = 0;
  for (const run of segment.source ?? []) {
    if (run.ipa !== undefined) stretches.push({ charStart: at, charEnd: at + run.length, ipa: run.ipa });
    at += run.length;
  }
  return stretches;
}

const badSegments = (message: string) => invalidRequest('invalid_parameter', message, 'segments');

/**
 * A text segment this worker can say as sent: its runs cover its text and point into `input`, and
 * it asks for phonemes or emphasis only of a model that has them (the edge strips them for the
 * others and says so; a worker that dropped them silently would hide the edge's mistake).
 */
function checkTextSegment(segment: TextSegment, index: number, inputLength: number, engine: Engine): void {
  const { capabilities, id } = engine.info;
  if (segment.emphasis && !capabilities.emphasis) throw badSegments(`Model "${id}" does not take emphasis (segments[${index}]).`);
  if (!segment.source) return;
  if (segment.source.some((run) => run.ipa !== undefined) && !capabilities.phonemes) {
    throw badSegments(`Model "${id}" does not take phonemes (segments[${index}]).`);
  }
  const covered = segment.source.reduce((sum, run) => sum + run.length, 0);
  if (covered !== [...segment.text].length) throw badSegments(`The source runs of segments[${index}] cover ${covered} characters of its ${[...segment.text].length}.`);
  for (const run of segment.source) {
    if (run.input_start + (run.replaces ?? run.length) > inputLength) throw badSegments(`A source run of segments[${index}] points past the end of input.`);
  }
}

/** The segments in order, a pause after a pause joined into one (their silence is one stretch). */
function joinPauses(segments: SpeechSegment[]): SpeechSegment[] {
  const joined: SpeechSegment[] = [];
  for (const segment of segments) {
    const last = joined.at(-1);
    if (last && isPause(last) && isPause(segment)) joined[joined.length - 1] = { pause_ms: last.pause_ms + segment.pause_ms };
    else joined.push(segment);
  }
  return joined;
}

export function planSynthesis(request: WorkerSynthesisRequest, engines: Map<string, Engine>): SynthesisPlan {
  const engine = engineFor(request, engines);
  const segments = joinPauses(request.segments ?? [{ text: request.input, language: request.language }]);
  const inputLength = [...request.input].length;
  for (const [index, segment] of segments.entries()) {
    if (isPause(segment)) continue;
    if (!engine.info.languages.includes(segment.language)) throw unsupportedLanguage(request.model, segment.language);
    checkTextSegment(segment, index, inputLength, engine);
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
    engineRequest: (segment) => {
      const stretches = pronunciations(segment);
      return {
        requestId: request.request_id,
        text: segment.text,
        voice,
        language: segment.language,
        speed: Math.min(MAX_SPEED, Math.max(MIN_SPEED, request.speed * (segment.rate ?? 1))),
        ...(request.seed === undefined ? {} : { seed: request.seed }),
        ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
        ...(request.timestamps ? { words: true } : {}),
        ...(stretches.length > 0 ? { pronunciations: stretches } : {}),
        ...(segment.emphasis ? { emphasis: true } : {}),
      };
    },
  };
}

/** Words at `shift` samples further on, none before `floor` (audio cut before a word's start starts it where the audio does). */
const shiftWords = (words: EngineWord[], shift: number, floor: number): EngineWord[] =>
  words.map((word) => ({
    ...word,
    startSample: Math.max(floor, word.startSample + shift),
    endSample: Math.max(floor, word.endSample + shift),
  }));

/**
 * The segments' audio one after the other, as one stream. Words point into `input` (see
 * SourceWords) and are timed in the stream's samples. A pause is silence made here, its length
 * counted from the last sound before it to the first after it (see pause-edges.ts). `playback`
 * follows the audio handed out, so the engine puts this stream's next piece of work in line by
 * its lead.
 */
export async function* speakSegments(plan: SynthesisPlan, signal: AbortSignal, playback = new PlaybackClock()): AsyncGenerator<EngineChunk> {
  const rate = plan.engine.info.sample_rate;
  const fade = Math.round(rate * FADE_SECONDS);
  let chars = 0;
  let samples = 0;
  /** Quiet samples the speech before a pause kept after its last sound: part of the pause. */
  let quietBefore = 0;
  const chunk = (audio: Float32Array, words: EngineWord[]): EngineChunk | undefined => {
    if (audio.length === 0 && words.length === 0) return undefined;
    samples += audio.length;
    return words.length > 0 ? { audio, words } : { audio };
  };
  for (const [index, segment] of plan.segments.entries()) {
    const previous = plan.segments[index - 1];
    const next = plan.segments[index + 1];
    if (isPause(segment)) {
      const quietAfter = next ? fade : 0;
      let silence = Math.max(0, Math.round((segment.pause_ms * rate) / 1000) - quietBefore - quietAfter);
      quietBefore = 0;
      while (silence > 0 && !signal.aborted) {
        const piece = Math.min(silence, Math.round(rate * PAUSE_PIECE_SECONDS));
        silence -= piece;
        yield chunk(new Float32Array(piece), [])!;
        playback.advance(piece / rate);
      }
      continue;
    }
    const base = samples;
    const soundStart = previous && isPause(previous) ? new SoundStart(rate) : undefined;
    const soundEnd = next && isPause(next) ? new SoundEnd(rate) : undefined;
    const sourceWords = new SourceWords(segment, chars);
    // Audio held while a word may still grow (SourceWords), and words held until the sound starts.
    let growing: Float32Array[] = [];
    let waiting: EngineWord[] = [];
    /** A stretch of the segment's audio with its words (segment samples) through the cuts at pauses. */
    const cut = (audio: Float32Array, words: EngineWord[], last: boolean): EngineChunk | undefined => {
      let kept = soundStart ? soundStart.push(audio) : audio;
      if (soundStart && last) kept = concatSamples([kept, soundStart.end()]);
      waiting.push(...words);
      // Until the sound starts, words wait with the audio: their place moves with the cut.
      if (soundStart && !soundStart.started && !last) return undefined;
      const timed = shiftWords(waiting, base + (soundStart?.shift ?? 0), base);
      waiting = [];
      if (soundEnd) {
        kept = soundEnd.push(kept);
        if (last) {
          const tail = soundEnd.end();
          kept = concatSamples([kept, tail.audio]);
          quietBefore = tail.quiet;
        }
      }
      return chunk(kept, timed);
    };
    for await (const engineChunk of plan.engine.synthesize({ ...plan.engineRequest(segment), playback }, signal)) {
      growing.push(engineChunk.audio);
      const words = engineChunk.words ? sourceWords.push(engineChunk.words) : [];
      // A word that may still take in more of its replaced run holds the audio after its start with it.
      if (sourceWords.growing) {
        waiting.push(...words);
        continue;
      }
      const piece = cut(concatSamples(growing), words, false);
      growing = [];
      if (!piece) continue;
      // Counted once the consumer is done with it: while it works on a chunk, the deadline is that chunk's.
      yield piece;
      playback.advance(piece.audio.length / rate);
    }
    if (signal.aborted) return;
    const piece = cut(concatSamples(growing), sourceWords.end(), true);
    if (piece) {
      yield piece;
      playback.advance(piece.audio.length / rate);
    }
    // A segment without runs follows the text segments before it, joined (see TextSegmentSchema).
    chars += [...segment.text].length;
  }
}
