import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Talker } from './talker.ts';
import { writeTinyPack } from './tiny-pack/generate.ts';
import type { Manifest } from './pack.ts';

let root: string;
let manifest: Manifest;
let prefill: ort.InferenceSession;
let decode: ort.InferenceSession;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-talker-'));
  manifest = await writeTinyPack(root, { layers: 3 });
  prefill = await ort.InferenceSession.create(join(root, 'talker_prefill.onnx'));
  decode = await ort.InferenceSession.create(join(root, 'talker_decode.onnx'));
});

afterAll(async () => {
  await prefill?.release();
  await decode?.release();
  await rm(root, { recursive: true, force: true });
});

it('decode with the KV cache gives the logits of a prefill over the whole sequence', async () => {
  const H = manifest.dims.hidden_size;
  const dims = { hiddenSize: H, vocab: manifest.dims.codec_vocab_size, layers: manifest.dims.num_layers };
  const rows = 12;
  const promptRows = 5;
  const embeds = Float32Array.from({ length: rows * H }, (_, i) => Math.sin(i * 0.37) * 0.8);

  const cached = new Talker({ prefill, decode }, dims);
  const stepwise = [await cached.prefill(embeds.slice(0, promptRows * H))];
  for (let r = promptRows; r < rows; r++) stepwise.push(await cached.step(embeds.slice(r * H, (r + 1) * H)));
  expect(cached.length).toBe(rows);

  for (let n = promptRows; n <= rows; n++) {
    const full = await new Talker({ prefill, decode }, dims).prefill(embeds.slice(0, n * H));
    const step = stepwise[n - promptRows]!;
    let diff = 0;
    for (let i = 0; i < full.logits.length; i++) diff = Math.max(diff, Math.abs(full.logits[i]! - step.logits[i]!));
    for (let i = 0; i < H; i++) diff = Math.max(diff, Math.abs(full.hidden[i]! - step.hidden[i]!));
    expect(diff).toBeLessThan(1e-4);
  }
  // The check means something only if positions matter: a different order gives other logits.
  const swapped = embeds.slice(0, promptRows * H);
  swapped.set(embeds.subarray(0, H), H);
  swapped.set(embeds.subarray(H, 2 * H), 0);
  const other = await new Talker({ prefill, decode }, dims).prefill(swapped);
  expect(Math.abs(other.logits[0]! - stepwise[0]!.logits[0]!)).toBeGreaterThan(1e-4);
});
