/**
 * The Qwen3-TTS engine: one loaded pack behind the `Engine` interface. Per request it builds the
 * prompt, prefills the talker, then per frame draws codebook 0 from the talker, the 15 residual
 * codes from the code predictor, and streams audio through the chunked codec decoder.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelInfo } from '../../../shared/schemas/catalog.ts';
import {
  EngineRequestError,
  type Engine,
  type SynthesisRequest,
  type VoiceProfile,
  type VoiceSource,
} from '../types.ts';
import { CodePredictor, makeEmbedders } from './code-predictor.ts';
import { CodecDecoder, CodecStream, DEFAULT_SCHEDULE, type ChunkSchedule } from './codec-stream.ts';
import { checkPackFiles, PackError, readManifest, tokenizerFiles, type Manifest } from './pack.ts';
import { buildPrompt, maxFrames, type SpeakerSlot } from './prompt.ts';
import type { RunStats } from './run-stats.ts';
import { Random, sample, type SamplingParams } from './sampler.ts';
import { createSessions, releaseSessions, type ExecutionProvider, type Sessions } from './sessions.ts';
import { decodeVector, encodeVector, speakerEmbedding } from './speaker-encoder.ts';
import { Talker } from './talker.ts';
import { TextTokenizer } from './tokenizer.ts';

export const ENGINE_NAME = 'qwen3-tts';

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
}

/** What the generation loop reports: each frame's codes, and audio chunks as they are decoded. */
export type GenerationEvent =
  | { kind: 'frame'; index: number; codes: number[] }
  | { kind: 'audio'; samples: Float32Array }
  | { kind: 'end'; reason: 'eos' | 'max_frames' | 'aborted'; frames: number };

/** The voice profile a Base pack's createVoice returns (inside VoiceProfile.data). */
export interface XVectorData {
  format: 'x-vector';
  hidden_size: number;
  /** base64 of little-endian float32. */
  embedding: string;
}

/** The voice profile a VoiceDesign pack's createVoice returns (inside VoiceProfile.data). */
export interface DesignData {
  format: 'description';
  description: string;
}

export const DEFAULT_VOICE_ID = 'default';

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
    },
    default_voice: voices[0]!.id,
    voices,
  };
}

export class Qwen3Engine implements Engine {
  readonly info: ModelInfo;
  readonly manifest: Manifest;
  readonly provider: ExecutionProvider;
  private readonly sessions: Sessions;
  private readonly tokenizer: TextTokenizer;
  private readonly defaultVoice: Float32Array | undefined;
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
  }) {
    this.manifest = p.manifest;
    this.sessions = p.sessions;
    this.provider = p.provider;
    this.tokenizer = p.tokenizer;
    this.defaultVoice = p.defaultVoice;
    this.schedule = p.schedule;
    this.log = p.log;
    this.info = modelInfo(p.manifest);
  }

  async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<Float32Array> {
    for await (const event of this.generate(request, signal)) {
      if (event.kind === 'audio') yield event.samples;
    }
  }

  /** The generation loop with its frames visible (tests and bench read the codes). */
  async *generate(request: SynthesisRequest, signal: AbortSignal, stats?: RunStats): AsyncGenerator<GenerationEvent> {
    const m = this.manifest;
    const d = m.dims;
    const { speaker, instruction } = this.resolveVoice(request);
    const embed = makeEmbedders(
      { text: this.sessions['text_project.onnx'], codec: this.sessions['codec_embed.onnx'], residual: this.sessions['code_predictor_embed.onnx'] },
      stats,
    );
    const prompt = await buildPrompt(m, this.tokenizer, embed, {
      text: request.text,
      language: request.language,
      speaker,
      ...(instruction ? { instruction } : {}),
    });
    const limit = maxFrames(m, prompt.textTokens);
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
    const stream = new CodecStream(
      new CodecDecoder(this.sessions['tokenizer12hz_decode.onnx'], { groups: d.num_code_groups, samplesPerFrame: m.codec.samples_per_frame }, stats),
      m.codec.left_context_frames,
      this.schedule,
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

  async createVoice(source: VoiceSource, signal: AbortSignal): Promise<VoiceProfile> {
    signal.throwIfAborted();
    const m = this.manifest;
    if (source.kind === 'audio') {
      const encoder = this.sessions['speaker_encoder.onnx'];
      if (m.variant !== 'Base' || !encoder) {
        throw new EngineRequestError('clone_unsupported', `${m.id} cannot clone voices; use a Qwen3-TTS Base model.`);
      }
      const vector = await speakerEmbedding(encoder, source.samples, source.sampleRate, m.dims.hidden_size);
      const data: XVectorData = { format: 'x-vector', hidden_size: m.dims.hidden_size, embedding: encodeVector(vector) };
      return { engine: ENGINE_NAME, model: m.id, kind: 'clone', data: { ...data } };
    }
    if (m.variant !== 'VoiceDesign') {
      throw new EngineRequestError('design_unsupported', `${m.id} cannot design voices; use a Qwen3-TTS VoiceDesign model.`);
    }
    const description = source.text.trim();
    if (!description) throw new EngineRequestError('empty_description', 'The voice description is empty.', 'description');
    const data: DesignData = { format: 'description', description };
    return { engine: ENGINE_NAME, model: m.id, kind: 'design', data: { ...data } };
  }

  private resolveVoice(request: SynthesisRequest): { speaker: SpeakerSlot; instruction: string | undefined } {
    const m = this.manifest;
    // Instructions reach the talker only where the model was trained with them (CustomVoice 1.7B,
    // VoiceDesign); elsewhere they are ignored, as OpenAI's API ignores them for tts-1.
    let instruction = m.instructions ? request.instructions?.trim() || undefined : undefined;
    const voice = request.voice;
    if (voice.kind === 'preset') {
      if (m.variant === 'CustomVoice') {
        const s = m.speakers.find((sp) => sp.id.toLowerCase() === voice.id.toLowerCase());
        if (!s) throw this.unknownVoice(voice.id);
        return {
          speaker: { kind: 'preset', codecId: s.codec_id, ...(s.dialect_codec_id !== undefined ? { dialectCodecId: s.dialect_codec_id } : {}) },
          instruction,
        };
      }
      if (voice.id !== DEFAULT_VOICE_ID) throw this.unknownVoice(voice.id);
      if (m.variant === 'Base' && this.defaultVoice) return { speaker: { kind: 'embedding', vector: this.defaultVoice }, instruction };
      return { speaker: { kind: 'none' }, instruction };
    }
    const { profile } = voice;
    if (profile.engine !== ENGINE_NAME) {
      throw new EngineRequestError('voice_incompatible', `This voice was made by the ${profile.engine} engine; ${m.id} cannot use it.`, 'voice');
    }
    if (profile.kind === 'clone') {
      const data = profile.data as Partial<XVectorData>;
      if (m.variant !== 'Base') {
        throw new EngineRequestError('voice_incompatible', `Cloned voices need a Qwen3-TTS Base model; ${m.id} is ${m.variant}.`, 'voice');
      }
      if (data.format !== 'x-vector' || typeof data.embedding !== 'string' || data.hidden_size !== m.dims.hidden_size) {
        throw new EngineRequestError(
          'voice_incompatible',
          `This voice was cloned with ${profile.model} (x-vector of ${data.hidden_size ?? '?'} values); ${m.id} needs ${m.dims.hidden_size}.`,
          'voice',
        );
      }
      const vector = decodeVector(data.embedding);
      if (vector.length !== m.dims.hidden_size) throw new EngineRequestError('voice_incompatible', 'The voice profile is corrupt.', 'voice');
      return { speaker: { kind: 'embedding', vector }, instruction };
    }
    const data = profile.data as Partial<DesignData>;
    if (m.variant !== 'VoiceDesign' || typeof data.description !== 'string') {
      throw new EngineRequestError('voice_incompatible', `Designed voices need a Qwen3-TTS VoiceDesign model; ${m.id} is ${m.variant}.`, 'voice');
    }
    instruction = instruction ? `${data.description} ${instruction}` : data.description;
    return { speaker: { kind: 'none' }, instruction };
  }

  private unknownVoice(id: string): EngineRequestError {
    return new EngineRequestError('voice_not_found', `${this.manifest.id} has no voice "${id}"; its voices: ${this.info.voices.map((v) => v.id).join(', ')}.`, 'voice');
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
    const encoder = this.sessions['speaker_encoder.onnx'];
    if (encoder) {
      const noise = Float32Array.from({ length: this.manifest.codec.sample_rate }, (_, i) => Math.sin(i * 0.05) * 0.1);
      await speakerEmbedding(encoder, noise, this.manifest.codec.sample_rate, this.manifest.dims.hidden_size);
    }
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
