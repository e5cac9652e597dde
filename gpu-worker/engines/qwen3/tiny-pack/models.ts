/**
 * The nine ONNX graphs of a tiny Qwen3-TTS pack: same file names, input and output names as the
 * real export (see DESIGN.md), small dimensions, fixed random weights.
 *
 * The talker is a real (small) decoder-only transformer with rotary positions, grouped KV heads
 * and a KV cache, so that "decode with the cache equals prefill over the whole sequence" is a
 * meaningful check. End of speech is made deterministic by one extra path: column 0 of every
 * input embedding is zero except for the text tokens tts_eos and tts_pad (value 1), and the
 * talker adds that column, times a large weight, to the EOS logit. So EOS is sampled exactly at
 * the first step whose input carries "text exhausted", and a text of n tokens yields max(n, 2)
 * frames. With `eos: 'never'` the weight is zero and EOS is never sampled (for the runaway cap).
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { GraphBuilder, int, ints } from './graph.ts';

export interface TinyDims {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  textVocabSize: number;
  codecVocabSize: number;
  codebookSize: number;
  numCodeGroups: number;
  predictorHiddenSize: number;
  predictorHeads: number;
  predictorLayers: number;
  codecChannels: number;
  codecKernel: number;
  samplesPerFrame: number;
  melBins: number;
}

export interface TinyModelOptions {
  dims: TinyDims;
  seed: number;
  codecEosId: number;
  /** Text token ids whose embedding carries the "text exhausted" marker. */
  markerTextIds: number[];
  eos: 'text' | 'never';
  /** Element type of the talker's KV cache inputs/outputs (exports for GPUs use float16). */
  kvType?: 'float32' | 'float16';
}

type Rng = () => number;

function makeRng(seed: number): Rng {
  const rng = xoroshiro128plus(seed);
  return () => uniformFloat64(rng);
}

function gaussian(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // Box-Muller: two normals from two uniforms.
    const u = Math.max(rng(), 1e-12);
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** An embedding table whose column 0 (the EOS marker channel) is zero except for `markerRows`. */
function table(rng: Rng, rows: number, cols: number, markerRows: number[] = []): Float32Array {
  const t = gaussian(rng, rows * cols, 0.5);
  for (let r = 0; r < rows; r++) t[r * cols] = 0;
  for (const r of markerRows) t[r * cols] = 1;
  return t;
}

class Net {
  readonly g: GraphBuilder;
  readonly rng: Rng;
  constructor(g: GraphBuilder, rng: Rng) {
    this.g = g;
    this.rng = rng;
  }

  weight(rows: number, cols: number, gain = 1): string {
    return this.g.init(gaussian(this.rng, rows * cols, gain / Math.sqrt(rows)), [rows, cols]);
  }

  linear(x: string, inDim: number, outDim: number, gain = 1): string {
    return this.g.op('MatMul', [x, this.weight(inDim, outDim, gain)]);
  }

  rmsNorm(x: string, dim: number): string {
    const g = this.g;
    const mean = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: ints([-1]), keepdims: int(1) });
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [mean, g.f32([1e-6], [])])])]);
    const scale = Float32Array.from({ length: dim }, () => 1 + 0.1 * (this.rng() - 0.5));
    return g.op('Mul', [g.op('Mul', [x, inv]), g.f32(scale)]);
  }

  /** 0-d int64 size of axis `axis` of `x`. */
  dim(x: string, axis: number): string {
    return this.g.op('Gather', [this.g.op('Shape', [x]), this.g.i64Scalar(axis)], { axis: int(0) });
  }

  unsqueeze(x: string, axes: number[]): string {
    return this.g.op('Unsqueeze', [x, this.g.i64(axes)]);
  }

  /**
   * Rotary tables and the additive attention bias for queries at absolute indices
   * [S-T, S) over keys [0, S). `mask` ([1,S] int64, 1 = attend) is optional.
   */
  positions(T: string, S: string, headDim: number, mask?: string) {
    const g = this.g;
    const zero = g.i64Scalar(0);
    const one = g.i64Scalar(1);
    const start = g.op('Sub', [S, T]);
    const qIdx = g.op('Range', [start, S, one]);
    const kIdx = g.op('Range', [zero, S, one]);
    let allowed = g.op('LessOrEqual', [this.unsqueeze(kIdx, [0]), this.unsqueeze(qIdx, [1])]);
    let pos: string;
    if (mask) {
      allowed = g.op('And', [allowed, g.op('Equal', [mask, g.i64([1], [])])]);
      // Position = number of attended tokens before this one, as the reference derives it from the mask.
      const cum = g.op('CumSum', [g.op('Cast', [mask], { to: int(1) }), g.i64Scalar(1)]);
      const all = g.op('Sub', [cum, g.f32([1], [])]);
      pos = g.op('Slice', [all, this.unsqueeze(start, [0]), this.unsqueeze(S, [0]), g.i64([1])]);
    } else {
      pos = this.unsqueeze(g.op('Cast', [qIdx], { to: int(1) }), [0]);
    }
    const bias = g.op('Where', [allowed, g.f32([0], []), g.f32([-1e9], [])]);
    const half = headDim / 2;
    const invFreq = Float32Array.from({ length: half }, (_, i) => 1 / 10000 ** ((2 * i) / headDim));
    const angles = g.op('Mul', [this.unsqueeze(pos, [2]), g.f32(invFreq)]);
    const cos = this.unsqueeze(g.op('Cos', [angles]), [1]);
    const sin = this.unsqueeze(g.op('Sin', [angles]), [1]);
    return { cos, sin, bias };
  }

  private heads(x: string, n: number, d: number): string {
    const r = this.g.op('Reshape', [x, this.g.i64([0, 0, n, d])]);
    return this.g.op('Transpose', [r], { perm: ints([0, 2, 1, 3]) });
  }

  private rope(x: string, cos: string, sin: string, d: number): string {
    const g = this.g;
    const h = d / 2;
    const x1 = g.op('Slice', [x, g.i64([0]), g.i64([h]), g.i64([3])]);
    const x2 = g.op('Slice', [x, g.i64([h]), g.i64([d]), g.i64([3])]);
    const a = g.op('Sub', [g.op('Mul', [x1, cos]), g.op('Mul', [x2, sin])]);
    const b = g.op('Add', [g.op('Mul', [x2, cos]), g.op('Mul', [x1, sin])]);
    return g.op('Concat', [a, b], { axis: int(3) });
  }

  /** One pre-norm decoder layer; returns the new residual stream and this layer's full K/V. */
  layer(
    x: string,
    o: { hidden: number; heads: number; kvHeads: number; headDim: number; inter: number },
    pos: { cos: string; sin: string; bias: string },
    past?: { key: string; value: string },
  ) {
    const g = this.g;
    const { hidden, heads, kvHeads, headDim, inter } = o;
    const h = this.rmsNorm(x, hidden);
    const q = this.rope(this.heads(this.linear(h, hidden, heads * headDim), heads, headDim), pos.cos, pos.sin, headDim);
    let k = this.rope(this.heads(this.linear(h, hidden, kvHeads * headDim), kvHeads, headDim), pos.cos, pos.sin, headDim);
    let v = this.heads(this.linear(h, hidden, kvHeads * headDim), kvHeads, headDim);
    if (past) {
      k = g.op('Concat', [past.key, k], { axis: int(2) });
      v = g.op('Concat', [past.value, v], { axis: int(2) });
    }
    // Grouped-query attention: query head i reads KV head i % kvHeads.
    const rep = heads / kvHeads;
    const kRep = rep > 1 ? g.op('Concat', Array(rep).fill(k), { axis: int(1) }) : k;
    const vRep = rep > 1 ? g.op('Concat', Array(rep).fill(v), { axis: int(1) }) : v;
    const kT = g.op('Transpose', [kRep], { perm: ints([0, 1, 3, 2]) });
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), g.f32([1 / Math.sqrt(headDim)], [])]), pos.bias]);
    const attn = g.op('MatMul', [g.op('Softmax', [scores], { axis: int(-1) }), vRep]);
    const merged = g.op('Reshape', [g.op('Transpose', [attn], { perm: ints([0, 2, 1, 3]) }), g.i64([0, 0, heads * headDim])]);
    const x1 = g.op('Add', [x, this.linear(merged, heads * headDim, hidden)]);
    const up = this.linear(this.rmsNorm(x1, hidden), hidden, inter);
    const act = g.op('Mul', [up, g.op('Sigmoid', [up])]);
    return { out: g.op('Add', [x1, this.linear(act, inter, hidden)]), key: k, value: v };
  }
}

function gatherModel(name: string, data: Float32Array, rows: number, cols: number): Uint8Array {
  const g = new GraphBuilder(name);
  const ids = g.input('input_ids', 'int64', [1, 'N']);
  const t = g.init(data, [rows, cols]);
  g.output(g.op('Gather', [t, ids], { axis: int(0) }), 'embeds', 'float32', [1, 'N', cols]);
  return g.build();
}

/** Talker weights come from the same seed for prefill and decode, so both graphs are one model. */
function talkerModel(o: TinyModelOptions, withPast: boolean): Uint8Array {
  const d = o.dims;
  const g = new GraphBuilder(withPast ? 'talker_decode' : 'talker_prefill');
  const net = new Net(g, makeRng(o.seed + 11));
  const T = withPast ? 1 : 'T';
  const x0 = g.input('inputs_embeds', 'float32', [1, T, d.hiddenSize]);
  const mask = g.input('attention_mask', 'int64', [1, withPast ? 'P_plus_1' : 'T']);
  const kvType = o.kvType ?? 'float32';
  // A float16 cache is stored in float16 and computed with in float32, as mixed-precision exports do.
  const fromCache = (x: string) => (kvType === 'float16' ? g.op('Cast', [x], { to: int(1) }) : x);
  const toCache = (x: string) => (kvType === 'float16' ? g.op('Cast', [x], { to: int(10) }) : x);
  const pasts: { key: string; value: string }[] = [];
  if (withPast) {
    for (let i = 0; i < d.numLayers; i++) {
      pasts.push({
        key: fromCache(g.input(`past_key_${i}`, kvType, [1, d.numKvHeads, 'P', d.headDim])),
        value: fromCache(g.input(`past_value_${i}`, kvType, [1, d.numKvHeads, 'P', d.headDim])),
      });
    }
  }
  const pos = net.positions(net.dim(x0, 1), net.dim(mask, 1), d.headDim, mask);
  let x = x0;
  const presents: { key: string; value: string }[] = [];
  for (let i = 0; i < d.numLayers; i++) {
    const l = net.layer(
      x,
      { hidden: d.hiddenSize, heads: d.numHeads, kvHeads: d.numKvHeads, headDim: d.headDim, inter: d.intermediateSize },
      pos,
      pasts[i],
    );
    x = l.out;
    presents.push(l);
  }
  const hidden = net.rmsNorm(x, d.hiddenSize);
  const head = net.linear(hidden, d.hiddenSize, d.codecVocabSize, 2);
  const baseBias = new Float32Array(d.codecVocabSize);
  baseBias[o.codecEosId] = -30;
  const eosGain = new Float32Array(d.codecVocabSize);
  eosGain[o.codecEosId] = o.eos === 'text' ? 80 : 0;
  const marker = g.op('Slice', [x0, g.i64([0]), g.i64([1]), g.i64([2])]);
  const logits = g.op('Add', [g.op('Add', [head, g.f32(baseBias)]), g.op('Mul', [marker, g.f32(eosGain)])]);
  const last = g.op('Slice', [hidden, g.i64([-1]), g.i64([2 ** 31]), g.i64([1])]);
  const S = withPast ? 'P_plus_1' : 'T';
  g.output(logits, 'logits', 'float32', [1, T, d.codecVocabSize]);
  g.output(last, 'last_hidden', 'float32', [1, 1, d.hiddenSize]);
  presents.forEach((p, i) => {
    g.output(toCache(p.key), `present_key_${i}`, kvType, [1, d.numKvHeads, S, d.headDim]);
    g.output(toCache(p.value), `present_value_${i}`, kvType, [1, d.numKvHeads, S, d.headDim]);
  });
  return g.build();
}

function codePredictorModel(o: TinyModelOptions): Uint8Array {
  const d = o.dims;
  const g = new GraphBuilder('code_predictor');
  const net = new Net(g, makeRng(o.seed + 23));
  const x0 = g.input('inputs_embeds', 'float32', [1, 'S', d.hiddenSize]);
  const step = g.input('generation_step', 'int64', [1]);
  let x = net.linear(x0, d.hiddenSize, d.predictorHiddenSize);
  const S = net.dim(x0, 1);
  const headDim = d.predictorHiddenSize / d.predictorHeads;
  const pos = net.positions(S, S, headDim);
  for (let i = 0; i < d.predictorLayers; i++) {
    x = net.layer(
      x,
      { hidden: d.predictorHiddenSize, heads: d.predictorHeads, kvHeads: d.predictorHeads, headDim, inter: 2 * d.predictorHiddenSize },
      pos,
    ).out;
  }
  const last = g.op('Slice', [net.rmsNorm(x, d.predictorHiddenSize), g.i64([-1]), g.i64([2 ** 31]), g.i64([1])]);
  const groups = d.numCodeGroups - 1;
  const heads = g.init(
    gaussian(net.rng, groups * d.predictorHiddenSize * d.codebookSize, 2 / Math.sqrt(d.predictorHiddenSize)),
    [groups, d.predictorHiddenSize, d.codebookSize],
  );
  const head = g.op('Gather', [heads, step], { axis: int(0) });
  const logits = g.op('Reshape', [g.op('MatMul', [last, head]), g.i64([1, d.codebookSize])]);
  g.output(logits, 'logits', 'float32', [1, d.codebookSize]);
  return g.build();
}

function codePredictorEmbedModel(o: TinyModelOptions): Uint8Array {
  const d = o.dims;
  const g = new GraphBuilder('code_predictor_embed');
  const rng = makeRng(o.seed + 31);
  const ids = g.input('input_ids', 'int64', [1, 1]);
  const step = g.input('generation_step', 'int64', [1]);
  const rows = (d.numCodeGroups - 1) * d.codebookSize;
  const t = g.init(table(rng, rows, d.hiddenSize), [rows, d.hiddenSize]);
  const flat = g.op('Add', [g.op('Mul', [step, g.i64([d.codebookSize], [])]), ids]);
  g.output(g.op('Gather', [t, flat], { axis: int(0) }), 'embeds', 'float32', [1, 1, d.hiddenSize]);
  return g.build();
}

/** A causal codec: per-codebook embeddings summed, a causal conv over frames, then samples. */
function codecDecoderModel(o: TinyModelOptions): Uint8Array {
  const d = o.dims;
  const g = new GraphBuilder('tokenizer12hz_decode');
  const rng = makeRng(o.seed + 41);
  const codes = g.input('audio_codes', 'int64', [1, 'F', d.numCodeGroups]);
  const C = d.codecChannels;
  const k = d.codecKernel;
  const offsets = Array.from({ length: d.numCodeGroups }, (_, i) => i * d.codebookSize);
  const flat = g.op('Add', [codes, g.i64(offsets)]);
  const emb = g.init(gaussian(rng, d.numCodeGroups * d.codebookSize * C, 0.5), [d.numCodeGroups * d.codebookSize, C]);
  const summed = g.op('ReduceSum', [g.op('Gather', [emb, flat], { axis: int(0) }), g.i64([2])], { keepdims: int(0) });
  const chFirst = g.op('Transpose', [summed], { perm: ints([0, 2, 1]) });
  // Left padding only: frame f sees frames f-k+1..f, which is what makes chunked decoding exact.
  const padded = g.op('Pad', [chFirst, g.i64([0, 0, k - 1, 0, 0, 0])]);
  const convW = g.init(gaussian(rng, C * C * k, 1 / Math.sqrt(C * k)), [C, C, k]);
  const conv = g.op('Conv', [padded, convW], { kernel_shape: ints([k]) });
  const h = g.op('Tanh', [g.op('Transpose', [conv], { perm: ints([0, 2, 1]) })]);
  const w = g.init(gaussian(rng, C * d.samplesPerFrame, 1 / Math.sqrt(C)), [C, d.samplesPerFrame]);
  const frames = g.op('Mul', [g.op('Tanh', [g.op('MatMul', [h, w])]), g.f32([0.5], [])]);
  g.output(g.op('Reshape', [frames, g.i64([1, -1])]), 'audio_values', 'float32', [1, 'samples']);
  const F = g.op('Gather', [g.op('Shape', [codes]), g.i64([1])], { axis: int(0) });
  g.output(g.op('Mul', [F, g.i64([d.samplesPerFrame])]), 'lengths', 'int64', [1]);
  return g.build();
}

function speakerEncoderModel(o: TinyModelOptions): Uint8Array {
  const d = o.dims;
  const g = new GraphBuilder('speaker_encoder');
  const net = new Net(g, makeRng(o.seed + 53));
  const mel = g.input('mel', 'float32', [1, 'frames', d.melBins]);
  // Mel features are log-magnitudes (about -11..3): centre them before the frame-wise layer.
  const frameWise = g.op('Tanh', [net.linear(g.op('Add', [mel, g.f32([4], [])]), d.melBins, 32, 0.3)]);
  const pooled = g.op('ReduceMean', [frameWise], { axes: ints([1]), keepdims: int(0) });
  const emb = g.op('Tanh', [net.linear(pooled, 32, d.hiddenSize, 2)]);
  g.output(emb, 'speaker_embedding', 'float32', [1, d.hiddenSize]);
  return g.build();
}

/**
 * A stand-in for the codec encoder with its interface (input_values and padding_mask
 * [1, samples] -> audio_codes [1, ceil(samples / 1920), groups] int64): the waveform, masked and
 * zero-padded to whole frames, cut into frames; per frame a fixed random projection, then per
 * codebook the argmax over codebook_size random features. Deterministic, and the codes follow
 * the audio.
 */
function codecEncoderModel(o: TinyModelOptions): Uint8Array {
  const d = o.dims;
  const g = new GraphBuilder('tokenizer12hz_encode');
  const net = new Net(g, makeRng(o.seed + 61));
  const spf = d.samplesPerFrame;
  const x = g.input('input_values', 'float32', [1, 'samples']);
  const mask = g.input('padding_mask', 'int64', [1, 'samples']);
  const masked = g.op('Mul', [x, g.op('Cast', [mask], { to: int(1) })]);
  // Zero-pad to F = ceil(samples / spf) whole frames.
  const n = g.op('Gather', [g.op('Shape', [x]), g.i64([1])], { axis: int(0) });
  const frameCount = g.op('Div', [g.op('Add', [n, g.i64([spf - 1])]), g.i64([spf])]);
  const pad = g.op('Sub', [g.op('Mul', [frameCount, g.i64([spf])]), n]);
  const padded = g.op('Pad', [masked, g.op('Concat', [g.i64([0, 0, 0]), pad], { axis: int(0) })]);
  const frames = g.op('Reshape', [padded, g.i64([-1, spf])]);
  const features = g.op('Tanh', [net.linear(frames, spf, d.codecChannels, 4)]);
  const scores = net.linear(features, d.codecChannels, d.numCodeGroups * d.codebookSize);
  const perCodebook = g.op('Reshape', [scores, g.i64([1, -1, d.numCodeGroups, d.codebookSize])]);
  g.output(g.op('ArgMax', [perCodebook], { axis: int(3), keepdims: int(0) }), 'audio_codes', 'int64', [1, 'F', d.numCodeGroups]);
  return g.build();
}

/** Every ONNX file of the pack, by file name. */
export function buildTinyModels(o: TinyModelOptions): Record<string, Uint8Array> {
  const d = o.dims;
  return {
    'text_project.onnx': gatherModel(
      'text_project',
      table(makeRng(o.seed + 1), d.textVocabSize, d.hiddenSize, o.markerTextIds),
      d.textVocabSize,
      d.hiddenSize,
    ),
    'codec_embed.onnx': gatherModel(
      'codec_embed',
      table(makeRng(o.seed + 2), d.codecVocabSize, d.hiddenSize),
      d.codecVocabSize,
      d.hiddenSize,
    ),
    'code_predictor_embed.onnx': codePredictorEmbedModel(o),
    'talker_prefill.onnx': talkerModel(o, false),
    'talker_decode.onnx': talkerModel(o, true),
    'code_predictor.onnx': codePredictorModel(o),
    'tokenizer12hz_decode.onnx': codecDecoderModel(o),
    'speaker_encoder.onnx': speakerEncoderModel(o),
    'tokenizer12hz_encode.onnx': codecEncoderModel(o),
  };
}

