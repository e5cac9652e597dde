import { isLanguageCode, LANGUAGE_CODES } from '../../../shared/languages.ts';
import type { ModelInfo } from '../../../shared/schemas/catalog.ts';
import { splitIntoSentences } from '../../text/sentences.ts';
import { type Engine, EngineRequestError, type SynthesisRequest } from '../types.ts';
import { EspeakThreadPool } from './thread-pool.ts';
import { ESPEAK_LANGUAGE_VOICES, ESPEAK_PRESETS } from './voices.ts';

/** espeak's natural rate in words per minute, and the range it accepts. */
const NATURAL_RATE = 175;
const MIN_RATE = 80;
const MAX_RATE = 450;

export const ESPEAK_MODEL_ID = 'espeak';

export interface EspeakEngineOptions {
  /** Synthesis threads: how many sentences are synthesized at once across all requests. */
  threads: number;
}

/**
 * The embedded engine: espeak-ng compiled to WebAssembly, shipped in an npm package, so a fresh
 * checkout speaks with no download. Formant synthesis: robotic, but every language, on any CPU.
 */
export class EspeakEngine implements Engine {
  readonly info: ModelInfo;
  private readonly pool: EspeakThreadPool;

  private constructor(pool: EspeakThreadPool) {
    this.pool = pool;
    this.info = {
      id: ESPEAK_MODEL_ID,
      engine: 'espeak',
      description: 'espeak-ng formant synthesis (embedded, CPU): every language, robotic timbre, no download.',
      languages: [...LANGUAGE_CODES],
      sample_rate: pool.sampleRate,
      capabilities: { streaming: true, clone: 'none', design: 'none', instructions: false, seed: false },
      default_voice: 'en-female',
      voices: ESPEAK_PRESETS.map(({ espeakVoice: _voice, variant: _variant, ...voice }) => voice),
    };
  }

  static async load(options: EspeakEngineOptions): Promise<EspeakEngine> {
    return new EspeakEngine(await EspeakThreadPool.start(options.threads));
  }

  async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<Float32Array> {
    if (request.voice.kind !== 'preset') {
      throw new EngineRequestError('unsupported_voice', 'The espeak model speaks only its preset voices.', 'voice');
    }
    const voiceId = request.voice.id;
    const preset = ESPEAK_PRESETS.find((voice) => voice.id === voiceId);
    if (!preset) throw new EngineRequestError('voice_not_found', `Voice "${voiceId}" does not exist for model "espeak".`, 'voice');
    const language = request.language;
    if (!isLanguageCode(language)) {
      throw new EngineRequestError('unsupported_language', `Model "espeak" does not speak "${language}".`, 'language');
    }
    // A preset keeps its timbre (variant) in any language; its own accent only in its own language.
    const espeakVoice = language === preset.language ? preset.espeakVoice : ESPEAK_LANGUAGE_VOICES[language];
    const voice = `${espeakVoice}+${preset.variant}`;
    const rate = Math.min(MAX_RATE, Math.max(MIN_RATE, Math.round(NATURAL_RATE * request.speed)));

    for (const sentence of splitIntoSentences(request.text, language)) {
      if (signal.aborted) return;
      for await (const block of this.pool.run({ text: sentence, voice, rate }, signal)) {
        const samples = new Float32Array(block.length);
        for (let i = 0; i < block.length; i++) samples[i] = block[i]! / 32768;
        yield samples;
      }
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
