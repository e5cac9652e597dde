/**
 * The Qwen3-TTS engine: one loaded pack behind the `Engine` interface. Per request it builds the
 * prompt, prefills the talker, then per frame draws codebook 0 from the talker, the 15 residual
 * codes from the code predictor, and streams audio through the chunked codec decoder.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelInfo } from '../../../shared/schemas/catalog.ts';
import { modelVersion } from '../../worker-version.ts';
import type { Engine, EngineChunk, EngineWord, SynthesisRequest, VoiceProfile, VoiceSource } from '../types.ts';
import { CodePredictor, makeEmbedders } from './code-predictor.ts';
import { CodecDecoder, CodecStream, DEFAULT_SCHEDULE, type ChunkSchedule } from './codec-stream.ts';
import { checkPackFiles, PackError, readManifest, tokenizerFiles, type Manifest } from './pack.ts';
import { packVersion } from './pack-version.ts';
import { buildPrompt, maxFrames } from './prompt.ts';
import type { RunStats } from './run-stats.ts';
import { Random, sample, type SamplingParams } from './sampler.ts';
import { createSessions, releaseSessions, type ExecutionProvider, type Sessions } from './sessions.ts';
import { Talker } from './talker.ts';
import { TextTokenizer } from './tokenizer.ts';
import { DEFAULT_VOICE_ID, ENGINE_NAME, Qwen3Voices } from './voices.ts';
import { planWords, WordSchedule } from './word-timing.ts';

export { DEFAULT_VOICE_ID, ENGINE_NAME };
export type { DesignData, InContextData, XVectorData } from './voice-profile.ts';

export interface Qwen3EngineOptions {
  executionProvider?: ExecutionProvider;
  intraOpThreads?: number;
  interOpThreads?: number;
  log?: (msg: string) => void;
  /** Hash every file against the manifest at start-up (sizes are always checked). Slow on real packs. */
  verifyChecksums?: boolean;
  /** Codec chunking: first chunk frames, then doubling up to `max`. */
  chunkSchedule?: ChunkSchedule;
  /** One short synthesis at start-up so the first request does not pay for ONNX Runtime's lazy set-up. */
  warmUp?: boolean;
  /** Memory for decoded voice profiles (LRU); default DEFAULT_VOICE_CACHE_BYTES. */
  voiceCacheBytes?: number;
}

/**
 * What the generation loop reports: each frame's codes, audio chunks as they are decoded, and
 * (when asked) words as generation reaches their estimated start, before the audio holding it.
 */
export type GenerationEvent =
  | { kind: 'frame'; index: number; codes: number[] }
  | { kind: 'audio'; samples: Float32Array }
  | { kind: 'words'; words: EngineWord[] }
  | { kind: 'end'; reason: 'eos' | 'max_frames' | 'aborted'; frames: number };

function modelInfo(m: Manifest): ModelInfo {
  const languages = Object.keys(m.languages);
  const firstLanguage = languages.includes('en') ? 'en' : (languages[0] as string);
  const voices =
    m.variant === 'CustomVoice'
      ? m.speakers.map((s) => ({
          id: s.id,
          name: s.name,
          gender: s.gender,
          language: s.language,
          ...(s.description ? { description: s.description } : {}),
        }))
      : [
          {
            id: DEFAULT_VOICE_ID,
            name: 'Default',
            gender: 'neutral' as const,
            language: firstLanguage,
            description:
              m.variant === 'Base'
                ? m.default_voice_file
                  ? 'The pack\'s built-in reference voice; clone your own with POST /v1/voices.'
                  : 'No reference speaker: the voice varies with the seed; clone one with POST /v1/voices.'
                : 'Described by the request\'s instructions (voice design).',
          },
        ];
  return {
    id: m.id,
    engine: ENGINE_NAME,
    description: m.description,
    languages,
    sample_rate: m.codec.sample_rate,
    capabilities: {
      streaming: true,
      clone: m.variant === 'Base' ? 'full' : 'none',
      design: m.variant === 'VoiceDesign' ? 'full' : 'none',
      instructions: m.instructions,
      seed: true,
      // Seeded sampling: the same request and seed are the same codes, so the same audio.
      deterministic: true,
      // The talker reads text tokens only: a phoneme stretch is said as its text, emphasis is not marked.
      phonemes: false,
      emphasis: false,
    },
    default_voice: voices[0]!.id,
    voices,
    version: modelVersion(packVersion(m)),
  };
}

export class Qwen3Engine implements Engine {
  readonly info: ModelInfo;
  /** Word timings are inferred from when text entered generation (word-timing.ts). */
  readonly wordAlignment = 'estimated';
  readonly manifest: Manifest;
  readonly provider: ExecutionProvider;
  private readonly sessions: Sessions;
  private readonly tokenizer: TextTokenizer;
  readonly voices: Qwen3Voices;
  private readonly schedule: ChunkSchedule;
  private readonly log: (msg: string) => void;

  constructor(p: {
    manifest: Manifest;
    sessions: Sessions;
    provider: ExecutionProvider;
    tokenizer: TextTokenizer;
    defaultVoice: Float32Array | undefined;
    schedule: ChunkSchedule;
    log: (msg: string) => void;
    voiceCacheBytes?: number;
  }) {
    this.manifest = p.manifest;
    this.sessions = p.sessions;
    this.provider = p.provider;
    this.tokenizer = p.tokenizer;
    this.voices = new Qwen3Voices({
      manifest: p.manifest,
      speakerEncoder: p.sessions['speaker_encoder.onnx'],
      codecEncoder: p.sessions['tokenizer12hz_encode.onnx'],
      defaultVoice: p.defaultVoice,
      ...(p.voiceCacheBytes ? { cacheBytes: p.voiceCacheBytes } : {}),
    });
    this.schedule = p.schedule;
    this.log = p.log;
    this.info = modelInfo(p.manifest);
  }

  async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<EngineChunk> {
    // Words go out with the next audio chunk, which holds their start.
    let words: EngineWord[] = [];
    for await (const event of this.generate(request, signal)) {
      if (event.kind === 'words') words.push(...event.words);
      if (event.kind !== 'audio') continue;
      yield words.length > 0 ? { audio: event.samples, words } : { audio: event.samples };
      words = [];
    }
    if (words.length > 0) yield { audio: new Float32Array(0), words };
  }

  /** The generation loop with its frames visible (tests and bench read the codes). */
  async *generate(request: SynthesisRequest, signal: AbortSignal, stats?: RunStats): AsyncGenerator<GenerationEvent> {
    const m = this.manifest;
    const d = m.dims;
    const embed = makeEmbedders(
      { text: this.sessions['text_project.onnx'], codec: this.sessions['codec_embed.onnx'], residual: this.sessions['code_predictor_embed.onnx'] },
      stats,
    );
    const { speaker, instruction, reference } = await this.voices.resolve(request, embed);
    const prompt = await buildPrompt(m, this.tokenizer, embed, {
      text: request.text,
      language: request.language,
      speaker,
      ...(instruction ? { instruction } : {}),
      ...(reference ? { reference } : {}),
    });
    const limit = maxFrames(m, prompt.textTokens);
    const words = request.words
      ? new WordSchedule(
          planWords(request.text, request.language, this.tokenizer.tokenByteLengths(request.text), prompt.textEntryFrames),
          m.codec.samples_per_frame,
        )
      : undefined;
    const random = new Random(request.seed ?? randomInt(2 ** 31));
    const g = m.generation;
    const talkerParams: SamplingParams = { temperature: g.temperature, topK: g.top_k, topP: g.top_p, repetitionPenalty: g.repetition_penalty };
    const predictorParams: SamplingParams = { temperature: g.subtalker_temperature, topK: g.subtalker_top_k, topP: g.subtalker_top_p, repetitionPenalty: 1 };
    const talker = new Talker(
      { prefill: this.sessions['talker_prefill.onnx'], decode: this.sessions['talker_decode.onnx'] },
      { hiddenSize: d.hidden_size, vocab: d.codec_vocab_size, layers: d.num_layers },
      stats,
    );
    const predictor = new CodePredictor(
      this.sessions['code_predictor.onnx'],
      embed,
      { hiddenSize: d.hidden_size, groups: d.num_code_groups, codebookSize: d.codebook_size },
      stats,
    );
    // In-context voices: the new frames continue the reference clip's, as the reference decodes them.
    const stream = new CodecStream(
      new CodecDecoder(this.sessions['tokenizer12hz_decode.onnx'], { groups: d.num_code_groups, samplesPerFrame: m.codec.samples_per_frame }, stats),
      m.codec.left_context_frames,
      this.schedule,
      reference?.context,
    );
    const eos = m.tokens.codec.eos;
    // Codebook 0 may be a code or EOS; every other control token is masked, as in the reference.
    const banned = (frame: number) => (id: number) => (id >= d.codebook_size && id !== eos) || (id === eos && frame < g.min_frames);
    const history: number[] = [];
    let reason: 'eos' | 'max_frames' | 'aborted' = 'max_frames';

    const aborted = () => {
      if (signal.aborted) reason = 'aborted';
      return signal.aborted;
    };
    try {
      run: {
        if (aborted()) break run;
        let out = await talker.prefill(prompt.embeds);
        for (let frame = 0; frame < limit; frame++) {
          if (aborted()) break run;
          const code0 = sample(out.logits, d.codec_vocab_size, talkerParams, random, { banned: banned(frame), history });
          if (code0 === eos) {
            reason = 'eos';
            break;
          }
          history.push(code0);
          const { codes, embedding } = await predictor.predict(out.hidden, code0, predictorParams, random);
          stream.push(codes);
          yield { kind: 'frame', index: frame, codes };
          const starting = words?.upTo(frame);
          if (starting?.length) yield { kind: 'words', words: starting };
          if (aborted()) break run;
          if (stream.ready) yield { kind: 'audio', samples: await stream.take() };
          if (frame + 1 === limit) break;
          // Next input: this frame's summed codes plus the next text token (or tts_pad once it ran out).
          const H = d.hidden_size;
          const text = frame < prompt.trailingRows ? prompt.trailing.subarray(frame * H, (frame + 1) * H) : prompt.pad;
          for (let i = 0; i < H; i++) embedding[i] = embedding[i]! + text[i]!;
          if (aborted()) break run;
          out = await talker.step(embedding);
        }
        if (reason === 'max_frames') {
          this.log(`qwen3: ${request.requestId}: stopped at the frame limit (${limit} frames for ${prompt.textTokens} text tokens)`);
        }
        if (aborted()) break run;
        const rest = await stream.take();
        const unsaid = words?.rest(stream.frameCount);
        if (unsaid?.length) yield { kind: 'words', words: unsaid };
        if (rest.length > 0) yield { kind: 'audio', samples: rest };
      }
      yield { kind: 'end', reason, frames: stream.frameCount };
    } finally {
      talker.reset();
    }
  }

  /** Decodes frames in one run: what the stream must equal. */
  async decodeOffline(frames: number[][]): Promise<Float32Array> {
    const d = this.manifest.dims;
    const decoder = new CodecDecoder(this.sessions['tokenizer12hz_decode.onnx'], { groups: d.num_code_groups, samplesPerFrame: this.manifest.codec.samples_per_frame });
    return Float32Array.from(await decoder.decode(frames));
  }

  createVoice(source: VoiceSource, signal: AbortSignal): Promise<VoiceProfile> {
    return this.voices.create(source, signal);
  }

  async warmUp(): Promise<void> {
    const controller = new AbortController();
    const language = this.info.languages.includes('en') ? 'en' : (this.info.languages[0] as string);
    const request: SynthesisRequest = {
      requestId: 'warm-up',
      text: 'Hello.',
      voice: { kind: 'preset', id: this.info.default_voice },
      language,
      speed: 1,
      seed: 0,
    };
    // Enough to run every session once: prefill, a decode step, the predictor, one codec chunk.
    for await (const event of this.generate(request, controller.signal)) {
      if (event.kind === 'audio' || (event.kind === 'frame' && event.index >= 1)) controller.abort();
    }
    await this.voices.warmUp();
  }

  async close(): Promise<void> {
    await releaseSessions(this.sessions);
  }
}

export async function loadQwen3Engine(packDir: string, options: Qwen3EngineOptions = {}): Promise<Qwen3Engine> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const manifest = await readManifest(packDir);
  await checkPackFiles(packDir, manifest, options.verifyChecksums ?? false);
  const tokenizer = await TextTokenizer.load(packDir, tokenizerFiles(manifest));
  let defaultVoice: Float32Array | undefined;
  if (manifest.default_voice_file) {
    const bytes = await readFile(join(packDir, manifest.default_voice_file));
    if (bytes.length !== manifest.dims.hidden_size * 4) {
      throw new PackError(manifest.default_voice_file, `${bytes.length} bytes, expected ${manifest.dims.hidden_size} float32 values (hidden_size)`);
    }
    defaultVoice = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const { sessions, provider } = await createSessions(packDir, manifest, {
    ...(options.executionProvider ? { executionProvider: options.executionProvider } : {}),
    ...(options.intraOpThreads ? { intraOpThreads: options.intraOpThreads } : {}),
    ...(options.interOpThreads ? { interOpThreads: options.interOpThreads } : {}),
    log,
  });
  const engine = new Qwen3Engine({
    manifest,
    sessions,
    provider,
    tokenizer,
    defaultVoice,
    schedule: options.chunkSchedule ?? DEFAULT_SCHEDULE,
    log,
    ...(options.voiceCacheBytes ? { voiceCacheBytes: options.voiceCacheBytes } : {}),
  });
  if (options.warmUp ?? true) {
    try {
      await engine.warmUp();
    } catch (error) {
      await engine.close();
      throw error;
    }
  }
  log(`qwen3: ${manifest.id} ready in ${Math.round(performance.now() - started)} ms`);
  return engine;
}
