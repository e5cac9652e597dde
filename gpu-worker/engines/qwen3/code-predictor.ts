/**
 * The code predictor: from the talker's hidden state and the first codebook's code, draws the
 * codes of the 15 residual codebooks one by one, and sums all 16 code embeddings into the
 * talker's next input, as the reference does.
 *
 * The export has no cache for this small transformer: each of the 15 runs re-reads the whole
 * (at most 17-row) sequence, which is kept in one buffer and passed as a view (no copies).
 */
import * as ort from 'onnxruntime-node';
import { runSession, type RunStats } from './run-stats.ts';
import { sample, type Random, type SamplingParams } from './sampler.ts';

export interface Embedders {
  /** codec_embed.onnx: ids of the talker's codec vocabulary to rows of hidden_size. */
  codec(ids: number[]): Promise<Float32Array>;
  /** code_predictor_embed.onnx: a residual code of codebook `group` (1-based) to one row. */
  residual(code: number, group: number): Promise<Float32Array>;
  /** text_project.onnx: text token ids to rows of hidden_size. */
  text(ids: number[]): Promise<Float32Array>;
}

const ids = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);

export function makeEmbedders(
  s: { text: ort.InferenceSession; codec: ort.InferenceSession; residual: ort.InferenceSession },
  stats?: RunStats,
): Embedders {
  const rows = async (session: ort.InferenceSession, name: string, feeds: Record<string, ort.Tensor>) =>
    ((await runSession(session, name, feeds, stats)).embeds as ort.Tensor).data as Float32Array;
  return {
    codec: (values) => rows(s.codec, 'codec_embed', { input_ids: ids(values) }),
    text: (values) => rows(s.text, 'text_project', { input_ids: ids(values) }),
    residual: (code, group) =>
      rows(s.residual, 'code_predictor_embed', {
        input_ids: ids([code]),
        // generation_step 0 is codebook 1 (the first residual one).
        generation_step: new ort.Tensor('int64', BigInt64Array.of(BigInt(group - 1)), [1]),
      }),
  };
}

export interface Frame {
  /** num_code_groups codes, codebook 0 first. */
  codes: number[];
  /** Sum of the embeddings of all codes: the codec part of the talker's next input. */
  embedding: Float32Array;
}

export class CodePredictor {
  private readonly session: ort.InferenceSession;
  private readonly embed: Embedders;
  private readonly hiddenSize: number;
  private readonly groups: number;
  private readonly codebookSize: number;
  private readonly stats: RunStats | undefined;

  constructor(
    session: ort.InferenceSession,
    embed: Embedders,
    dims: { hiddenSize: number; groups: number; codebookSize: number },
    stats?: RunStats,
  ) {
    this.session = session;
    this.embed = embed;
    this.hiddenSize = dims.hiddenSize;
    this.groups = dims.groups;
    this.codebookSize = dims.codebookSize;
    this.stats = stats;
  }

  async predict(hidden: Float32Array, code0: number, params: SamplingParams, random: Random): Promise<Frame> {
    const H = this.hiddenSize;
    const sequence = new Float32Array((this.groups + 1) * H);
    sequence.set(hidden, 0);
    const first = await this.embed.codec([code0]);
    sequence.set(first, H);
    const embedding = Float32Array.from(first);
    const codes = [code0];
    for (let group = 1; group < this.groups; group++) {
      const rows = group + 1;
      const out = await runSession(
        this.session,
        'code_predictor',
        {
          inputs_embeds: new ort.Tensor('float32', sequence.subarray(0, rows * H), [1, rows, H]),
          generation_step: new ort.Tensor('int64', BigInt64Array.of(BigInt(group - 1)), [1]),
        },
        this.stats,
      );
      const code = sample((out.logits as ort.Tensor).data as Float32Array, this.codebookSize, params, random);
      codes.push(code);
      const row = await this.embed.residual(code, group);
      sequence.set(row, rows * H);
      for (let i = 0; i < H; i++) embedding[i] = embedding[i]! + row[i]!;
    }
    return { codes, embedding };
  }
}

/**
 * Each frame's codes summed into one row of hidden_size, the way the predictor sums a generated
 * frame (codebook 0 through codec_embed, the others through code_predictor_embed): the rows
 * in-context cloning gives the reference clip. frames x hidden_size.
 */
export async function frameEmbeddings(embed: Embedders, frames: number[][], hiddenSize: number): Promise<Float32Array> {
  const H = hiddenSize;
  // Codebook 0 of every frame in one run; the export's residual embedder takes one code per run.
  const out = await embed.codec(frames.map((codes) => codes[0]!));
  for (let f = 0; f < frames.length; f++) {
    const codes = frames[f]!;
    for (let group = 1; group < codes.length; group++) {
      const row = await embed.residual(codes[group]!, group);
      for (let i = 0; i < H; i++) out[f * H + i] = out[f * H + i]! + row[i]!;
    }
  }
  return out;
}
