import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { concatSamples } from '../../../shared/audio/pcm.ts';
import { isLanguageCode, LANGUAGE_CODES } from '../../../shared/languages.ts';
import type { ModelInfo } from '../../../shared/schemas/catalog.ts';
import { sentenceSpans } from '../../text/sentences.ts';
import { codePointIndex, wordSpans } from '../../text/words.ts';
import { modelVersion } from '../../worker-version.ts';
import { type Engine, type EngineChunk, EngineRequestError, type SynthesisRequest, type VoiceProfile, type VoiceSelection, type VoiceSource } from '../types.ts';
import type { SynthesizeJob } from './protocol.ts';
import { espeakJobText, type PhonemeStretch } from './espeak-text.ts';
import { ipaToEspeak } from './ipa-to-espeak.ts';
import { EspeakThreadPool } from './thread-pool.ts';
import { cloneParams } from './voice-clone.ts';
import { WordChunker } from './word-chunker.ts';
import { designParams } from './voice-design.ts';
import { clamp, DEFAULT_PITCH, DEFAULT_RANGE, type EspeakVoiceParams, espeakProfile, readEspeakProfile } from './voice-params.ts';
import { ESPEAK_LANGUAGE_VOICES, ESPEAK_PRESETS, type EspeakPreset } from './voices.ts';

/** espeak's natural rate in words per minute, and the range it accepts. */
const NATURAL_RATE = 175;
const MIN_RATE = 80;
const MAX_RATE = 450;

export const ESPEAK_MODEL_ID = 'espeak';

/** The installed espeak-ng build (its npm package's version): its voices and rules make the audio. */
const ESPEAK_PACKAGE = '@echogarden/espeak-ng-emscripten';
const ESPEAK_PACKAGE_VERSION = (
  JSON.parse(readFileSync(createRequire(import.meta.url).resolve(`${ESPEAK_PACKAGE}/package.json`), 'utf8')) as { version: string }
).version;

export interface EspeakEngineOptions {
  /** Synthesis threads: how many sentences are synthesized at once across all requests. */
  threads: number;
  /** One more thread, kept for streams with no audio in hand (see EspeakThreadPool). */
  urgentThread?: boolean;
}

/** What a voice selection stands for: espeak settings, and the preset's own accent if it is one. */
interface ResolvedVoice {
  params: Omit<EspeakVoiceParams, 'variant'> & { variant: string };
  preset?: EspeakPreset;
}

/**
 * The embedded engine: espeak-ng compiled to WebAssembly, shipped in an npm package, so a fresh
 * checkout speaks with no download. Formant synthesis: robotic, but every language, on any CPU.
 * Cloning and design are approximations: a clip or description becomes a variant with a pitch,
 * range and rate (voice-clone.ts, voice-design.ts).
 */
export class EspeakEngine implements Engine {
  readonly info: ModelInfo;
  /** Word starts are espeak's own events. */
  readonly wordAlignment = 'exact';
  private readonly pool: EspeakThreadPool;

  private constructor(pool: EspeakThreadPool) {
    this.pool = pool;
    this.info = {
      id: ESPEAK_MODEL_ID,
      engine: 'espeak',
      description: 'espeak-ng formant synthesis (embedded, CPU): every language, robotic timbre, no download.',
      languages: [...LANGUAGE_CODES],
      sample_rate: pool.sampleRate,
      capabilities: { streaming: true, clone: 'approximate', design: 'approximate', instructions: false, seed: false, deterministic: true, phonemes: true, emphasis: true },
      default_voice: 'en-female',
      voices: ESPEAK_PRESETS.map(({ espeakVoice: _voice, variant: _variant, ...voice }) => voice),
      version: modelVersion(`espeak-ng@${ESPEAK_PACKAGE_VERSION}`),
    };
  }

  static async load(options: EspeakEngineOptions): Promise<EspeakEngine> {
    return new EspeakEngine(await EspeakThreadPool.start(options.threads, { urgentThread: options.urgentThread ?? false }));
  }

  async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<EngineChunk> {
    const { params, preset } = this.resolveVoice(request.voice);
    const language = request.language;
    if (!isLanguageCode(language)) {
      throw new EngineRequestError('unsupported_language', `Model "espeak" does not speak "${language}".`, 'language');
    }
    // A preset keeps its timbre (variant) in any language; its own accent only in its own language.
    const espeakVoice = preset && language === preset.language ? preset.espeakVoice : ESPEAK_LANGUAGE_VOICES[language];
    const settings = jobSettings(espeakVoice, params, request.speed);
    const toPoint = codePointIndex(request.text);
    // A stretch espeak has no phoneme for at all is said as written.
    const stretches = (request.pronunciations ?? [])
      .map(({ charStart, charEnd, ipa }) => ({ start: charStart, end: charEnd, mnemonics: ipaToEspeak(ipa, language).mnemonics }))
      .filter((stretch) => stretch.mnemonics !== '');
    let samples = 0;
    for (const sentence of sentencesKeeping(request.text, language, stretches)) {
      if (signal.aborted) return;
      const first = toPoint(sentence.start);
      const length = [...sentence.text].length;
      const inSentence = stretches
        .filter((stretch) => stretch.start >= first && stretch.end <= first + length)
        .map((stretch) => ({ ...stretch, start: stretch.start - first, end: stretch.end - first }));
      const job = espeakJobText(sentence.text, inSentence, request.emphasis);
      // Each sentence queues by the stream's deadline as of now, after the audio before it went out.
      const blocks = this.pool.run({ text: job.text, ...settings }, signal, request.playback?.deadline());
      const sentenceWords = () => wordSpans(sentence.text, language).map(({ start, end }) => ({ start: start + first, end: end + first }));
      const words = request.words ? new WordChunker(first, samples, this.info.sample_rate, sentenceWords()) : undefined;
      for await (const block of blocks) {
        const audio = toFloat(block.samples);
        samples += audio.length;
        if (!words) {
          yield { audio };
          continue;
        }
        // espeak counts the characters of the job's text: back to the sentence's.
        const events = block.words?.map((event) => {
          const { start, end } = job.toSource(event.textPosition, event.length);
          return { ...event, textPosition: start, length: end - start };
        });
        yield* words.push(audio, events);
      }
      if (words && !signal.aborted) yield* words.end();
    }
  }

  async createVoice(source: VoiceSource, signal: AbortSignal): Promise<VoiceProfile> {
    signal.throwIfAborted();
    const language = source.language ? { language: source.language } : {};
    if (source.kind === 'description') {
      return espeakProfile('design', this.info.id, designParams(source.text), { ...language, description: source.text });
    }
    const espeakVoice = ESPEAK_LANGUAGE_VOICES[source.language && isLanguageCode(source.language) ? source.language : 'en'];
    const { params, measured } = await cloneParams(source, async (text, voice) => ({
      samples: await this.render(text, jobSettings(espeakVoice, voice, 1), signal),
      sampleRate: this.info.sample_rate,
    }));
    signal.throwIfAborted();
    const description = source.description ? { description: source.description } : {};
    return espeakProfile('clone', this.info.id, params, { ...language, measured, ...description });
  }

  private resolveVoice(voice: VoiceSelection): ResolvedVoice {
    if (voice.kind === 'profile') return { params: readEspeakProfile(voice.profile, this.info.id) };
    const preset = ESPEAK_PRESETS.find((candidate) => candidate.id === voice.id);
    if (!preset) throw new EngineRequestError('voice_not_found', `Voice "${voice.id}" does not exist for model "espeak".`, 'voice');
    return { params: { variant: preset.variant, pitch: DEFAULT_PITCH, range: DEFAULT_RANGE, rate: 1 }, preset };
  }

  /** One piece of text, whole (for measuring, not streaming). */
  private async render(text: string, settings: JobSettings, signal: AbortSignal): Promise<Float32Array> {
    const blocks: Float32Array[] = [];
    for await (const block of this.pool.run({ text, ...settings }, signal)) blocks.push(toFloat(block.samples));
    return concatSamples(blocks);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * The text's sentences, one synthesis job each; a phoneme stretch that runs over a sentence's end
 * (an abbreviation's dot, say) keeps the sentences it touches together in one job.
 */
function sentencesKeeping(text: string, language: string, stretches: readonly PhonemeStretch[]): Array<{ text: string; start: number }> {
  const toPoint = codePointIndex(text);
  const joined: Array<{ text: string; start: number }> = [];
  let open: { start: number; end: number } | undefined;
  for (const sentence of sentenceSpans(text, language)) {
    const end = sentence.start + sentence.text.length;
    if (open) open.end = end;
    else open = { start: sentence.start, end };
    const [from, to] = [toPoint(open.start), toPoint(open.end)];
    if (stretches.some((stretch) => stretch.start < to && stretch.end > to && stretch.start >= from)) continue;
    joined.push({ text: text.slice(open.start, open.end), start: open.start });
    open = undefined;
  }
  if (open) joined.push({ text: text.slice(open.start, open.end), start: open.start });
  return joined;
}

type JobSettings = Omit<SynthesizeJob, 'type' | 'jobId' | 'text'>;

/** espeak's settings for a voice: the request's speed multiplies the voice's own rate. */
function jobSettings(espeakVoice: string, params: ResolvedVoice['params'], speed: number): JobSettings {
  const rate = clamp(Math.round(NATURAL_RATE * speed * params.rate), MIN_RATE, MAX_RATE);
  return { voice: `${espeakVoice}+${params.variant}`, rate, pitch: params.pitch, range: params.range };
}

function toFloat(block: Int16Array): Float32Array {
  const samples = new Float32Array(block.length);
  for (let i = 0; i < block.length; i++) samples[i] = block[i]! / 32768;
  return samples;
}
