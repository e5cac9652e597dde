/**
 * The talker: prefill over the prompt, then one decode step per frame with the KV cache. The
 * cache tensors ONNX Runtime returns (present_*) are handed straight back as the next step's
 * past_* inputs: JavaScript never copies or converts them, so a float16 cache stays float16.
 */
import * as ort from 'onnxruntime-node';
import { runSession, type RunStats } from './run-stats.ts';

export interface TalkerOutput {
  /** Logits of the last position (codec vocabulary). */
  logits: Float32Array;
  /** Hidden state of the last position: the code predictor's first input. */
  hidden: Float32Array;
}

export class Talker {
  private readonly prefillSession: ort.InferenceSession;
  private readonly decodeSession: ort.InferenceSession;
  private readonly hiddenSize: number;
  private readonly vocab: number;
  private readonly layers: number;
  private readonly stats: RunStats | undefined;
  private past: Record<string, ort.Tensor> = {};
  /** Tokens in the cache. */
  length = 0;

  constructor(
    sessions: { prefill: ort.InferenceSession; decode: ort.InferenceSession },
    dims: { hiddenSize: number; vocab: number; layers: number },
    stats?: RunStats,
  ) {
    this.prefillSession = sessions.prefill;
    this.decodeSession = sessions.decode;
    this.hiddenSize = dims.hiddenSize;
    this.vocab = dims.vocab;
    this.layers = dims.layers;
    this.stats = stats;
  }

  /** Runs the prompt (T rows of hidden_size) and fills the cache. */
  async prefill(embeds: Float32Array): Promise<TalkerOutput> {
    const T = embeds.length / this.hiddenSize;
    const out = await runSession(
      this.prefillSession,
      'talker_prefill',
      {
        inputs_embeds: new ort.Tensor('float32', embeds, [1, T, this.hiddenSize]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
      },
      this.stats,
    );
    this.length = T;
    return this.keep(out);
  }

  /** Appends one position (the summed codes of the last frame plus the next text embedding). */
  async step(embed: Float32Array): Promise<TalkerOutput> {
    if (this.length === 0) throw new Error('talker: step before prefill');
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embed, [1, 1, this.hiddenSize]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(this.length + 1).fill(1n), [1, this.length + 1]),
      ...this.past,
    };
    const out = await runSession(this.decodeSession, 'talker_decode', feeds, this.stats);
    this.length++;
    return this.keep(out);
  }

  private keep(out: ort.InferenceSession.ReturnType): TalkerOutput {
    const past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < this.layers; i++) {
      past[`past_key_${i}`] = out[`present_key_${i}`] as ort.Tensor;
      past[`past_value_${i}`] = out[`present_value_${i}`] as ort.Tensor;
    }
    this.past = past;
    const logits = (out.logits as ort.Tensor).data as Float32Array;
    const hidden = (out.last_hidden as ort.Tensor).data as Float32Array;
    return {
      logits: logits.subarray(logits.length - this.vocab),
      hidden: hidden.subarray(hidden.length - this.hiddenSize),
    };
  }

  /** Drops the cache (the tensors are garbage-collected with their native memory). */
  reset(): void {
    this.past = {};
    this.length = 0;
  }
}
