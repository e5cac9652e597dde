/**
 * The voices of one pack: making profiles (createVoice) and turning a request's voice into what
 * the prompt needs. Cloned profiles are checked on every request (cheap) and decoded once per
 * worker: their x-vector, reference codes and the reference frames' embeddings are kept in a
 * bounded LRU under the request's profile key (`${voiceId}@${version}`, immutable), which is what
 * takes the profile work off the path to the first packet.
 */
import type * as ort from 'onnxruntime-node';
import { LRUCache } from 'lru-cache';
import { resampleAll } from '../../audio/resampler.ts';
import { EngineRequestError, type SynthesisRequest, type VoiceProfile, type VoiceSource } from '../types.ts';
import { encodeReference, frameList } from './codec-encoder.ts';
import { frameEmbeddings, type Embedders } from './code-predictor.ts';
import { SPEAKER_MEL } from './mel.ts';
import type { Manifest } from './pack.ts';
import type { ReferencePrompt, SpeakerSlot } from './prompt.ts';
import { referenceAudio, speakerEmbedding } from './speaker-encoder.ts';
import { checkCloneProfile, cloneData, decodeCloneProfile, type CloneData, type DesignData } from './voice-profile.ts';

export const ENGINE_NAME = 'qwen3-tts';
export const DEFAULT_VOICE_ID = 'default';
/** Room for thousands of x-vectors, or tens of 30 s in-context references at 0.6B widths. */
export const DEFAULT_VOICE_CACHE_BYTES = 128 * 1024 * 1024;

export interface ResolvedVoice {
  speaker: SpeakerSlot;
  instruction: string | undefined;
  /** In-context cloning: the prompt's reference part, and the frames the codec decoder continues from. */
  reference?: ReferencePrompt & { context: number[][] };
}

type CachedVoice = { vector: Float32Array; reference?: ResolvedVoice['reference'] };

/** Roughly what an entry holds in memory (the LRU's measure). */
function cachedBytes(v: CachedVoice): number {
  const r = v.reference;
  const reference = r ? r.rows.byteLength + r.text.length * 2 + r.context.length * (r.context[0]?.length ?? 0) * 8 : 0;
  return v.vector.byteLength + reference + 64;
}

export class Qwen3Voices {
  private readonly manifest: Manifest;
  private readonly speakerEncoder: ort.InferenceSession | undefined;
  private readonly codecEncoder: ort.InferenceSession | undefined;
  private readonly defaultVoice: Float32Array | undefined;
  private readonly cache: LRUCache<string, CachedVoice>;

  constructor(p: {
    manifest: Manifest;
    speakerEncoder: ort.InferenceSession | undefined;
    codecEncoder: ort.InferenceSession | undefined;
    defaultVoice: Float32Array | undefined;
    cacheBytes?: number;
  }) {
    this.manifest = p.manifest;
    this.speakerEncoder = p.speakerEncoder;
    this.codecEncoder = p.codecEncoder;
    this.defaultVoice = p.defaultVoice;
    this.cache = new LRUCache({ maxSize: p.cacheBytes ?? DEFAULT_VOICE_CACHE_BYTES, sizeCalculation: cachedBytes });
  }

  /** Decoded profiles held (tests and metrics). */
  get cached(): number {
    return this.cache.size;
  }

  /** Whether createVoice can clone in context (Base pack with the codec encoder). */
  get inContext(): boolean {
    return this.codecEncoder !== undefined;
  }

  async resolve(request: SynthesisRequest, embed: Embedders): Promise<ResolvedVoice> {
    const m = this.manifest;
    // Instructions reach the talker only where the model was trained with them (CustomVoice 1.7B,
    // VoiceDesign); elsewhere they are ignored, as OpenAI's API ignores them for tts-1.
    const instruction = m.instructions ? request.instructions?.trim() || undefined : undefined;
    const voice = request.voice;
    if (voice.kind === 'preset') return { speaker: this.preset(voice.id), instruction };
    const { profile } = voice;
    if (profile.engine !== ENGINE_NAME) {
      throw new EngineRequestError('voice_incompatible', `This voice was made by the ${profile.engine} engine; ${m.id} cannot use it.`, 'voice');
    }
    if (profile.kind === 'design') {
      const data = profile.data as Partial<DesignData>;
      if (m.variant !== 'VoiceDesign' || typeof data.description !== 'string') {
        throw new EngineRequestError('voice_incompatible', `Designed voices need a Qwen3-TTS VoiceDesign model; ${m.id} is ${m.variant}.`, 'voice');
      }
      return { speaker: { kind: 'none' }, instruction: instruction ? `${data.description} ${instruction}` : data.description };
    }
    const data = checkCloneProfile(profile, m);
    const cloned = this.cache.get(voice.key) ?? (await this.decode(voice.key, data, embed));
    return { speaker: { kind: 'embedding', vector: cloned.vector }, instruction, ...(cloned.reference ? { reference: cloned.reference } : {}) };
  }

  private async decode(key: string, data: CloneData, embed: Embedders): Promise<CachedVoice> {
    const { vector, reference } = decodeCloneProfile(data, this.manifest);
    const voice: CachedVoice = { vector };
    if (reference) {
      const frames = frameList(reference.codes);
      voice.reference = {
        text: reference.text,
        rows: await frameEmbeddings(embed, frames, this.manifest.dims.hidden_size),
        context: frames.slice(-this.manifest.codec.left_context_frames),
      };
    }
    this.cache.set(key, voice);
    return voice;
  }

  private preset(id: string): SpeakerSlot {
    const m = this.manifest;
    if (m.variant === 'CustomVoice') {
      const s = m.speakers.find((sp) => sp.id.toLowerCase() === id.toLowerCase());
      if (!s) throw this.unknownVoice(id);
      return { kind: 'preset', codecId: s.codec_id, ...(s.dialect_codec_id !== undefined ? { dialectCodecId: s.dialect_codec_id } : {}) };
    }
    if (id !== DEFAULT_VOICE_ID) throw this.unknownVoice(id);
    if (m.variant === 'Base' && this.defaultVoice) return { kind: 'embedding', vector: this.defaultVoice };
    return { kind: 'none' };
  }

  private unknownVoice(id: string): EngineRequestError {
    const m = this.manifest;
    const ids = m.variant === 'CustomVoice' ? m.speakers.map((s) => s.id) : [DEFAULT_VOICE_ID];
    return new EngineRequestError('voice_not_found', `${m.id} has no voice "${id}"; its voices: ${ids.join(', ')}.`, 'voice');
  }

  /**
   * Base: an x-vector profile, or an in-context one when the pack has the codec encoder and the
   * clip comes with a transcript. VoiceDesign: the description.
   */
  async create(source: VoiceSource, signal: AbortSignal): Promise<VoiceProfile> {
    signal.throwIfAborted();
    const m = this.manifest;
    if (source.kind === 'audio') {
      if (m.variant !== 'Base' || !this.speakerEncoder) {
        throw new EngineRequestError('clone_unsupported', `${m.id} cannot clone voices; use a Qwen3-TTS Base model.`);
      }
      const audio = await referenceAudio(source.samples, source.sampleRate, SPEAKER_MEL.sampleRate);
      const vector = await speakerEmbedding(this.speakerEncoder, audio, m.dims.hidden_size);
      const transcript = source.transcript?.trim();
      let reference;
      if (transcript && this.codecEncoder) {
        signal.throwIfAborted();
        const codes = await this.encode(await resampleAll(audio, SPEAKER_MEL.sampleRate, m.codec.sample_rate));
        reference = { text: transcript, codes };
      }
      return { engine: ENGINE_NAME, model: m.id, kind: 'clone', data: { ...cloneData(m.dims.hidden_size, vector, reference) } };
    }
    if (m.variant !== 'VoiceDesign') {
      throw new EngineRequestError('design_unsupported', `${m.id} cannot design voices; use a Qwen3-TTS VoiceDesign model.`);
    }
    const description = source.text.trim();
    if (!description) throw new EngineRequestError('empty_description', 'The voice description is empty.', 'description');
    const data: DesignData = { format: 'description', description };
    return { engine: ENGINE_NAME, model: m.id, kind: 'design', data: { ...data } };
  }

  private encode(audio: Float32Array) {
    const d = this.manifest.dims;
    return encodeReference(this.codecEncoder!, audio, {
      groups: d.num_code_groups,
      codebookSize: d.codebook_size,
      samplesPerFrame: this.manifest.codec.samples_per_frame,
    });
  }

  /** Runs the encoders once, so the first createVoice does not pay for ONNX Runtime's lazy set-up. */
  async warmUp(): Promise<void> {
    if (!this.speakerEncoder) return;
    const rate = SPEAKER_MEL.sampleRate;
    const tone = Float32Array.from({ length: rate }, (_, i) => Math.sin(i * 0.05) * 0.1);
    await speakerEmbedding(this.speakerEncoder, tone, this.manifest.dims.hidden_size);
    if (this.codecEncoder) await this.encode(tone);
  }
}
