import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisRequest, VoiceProfile } from '../types.ts';
import { makeEmbedders } from './code-predictor.ts';
import { frameList } from './codec-encoder.ts';
import { loadQwen3Engine, type Qwen3Engine } from './engine.ts';
import type { Manifest } from './pack.ts';
import { buildPrompt, type PromptRequest } from './prompt.ts';
import { RunStats } from './run-stats.ts';
import { TextTokenizer } from './tokenizer.ts';
import { writeTinyPack } from './tiny-pack/generate.ts';
import { decodeCodes, decodeVector, type InContextData } from './voice-profile.ts';

const RATE = 24000;
const SAMPLES_PER_FRAME = 1920;
const TEXT = 'the quick brown fox jumps over the lazy dog. speak slowly and clearly, the voice is warm and calm.';
const TRANSCRIPT = 'hello world, this is a test.';

/** A voiced-like tone: a fundamental with decaying harmonics and a slow tremolo. */
function harmonicTone(seconds: number, f0: number): Float32Array {
  return Float32Array.from({ length: seconds * RATE }, (_, i) => {
    const t = i / RATE;
    let v = 0;
    for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    return 0.2 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t));
  });
}

/** A linear sine sweep. */
function sweep(seconds: number, from: number, to: number): Float32Array {
  const k = (to - from) / seconds;
  return Float32Array.from({ length: seconds * RATE }, (_, i) => {
    const t = i / RATE;
    return 0.3 * Math.sin(2 * Math.PI * (from * t + (k * t * t) / 2));
  });
}

let root: string;
let base: Qwen3Engine;
let tokenizer: TextTokenizer;
const signal = new AbortController().signal;
const clipA = harmonicTone(4, 140);
const clipB = sweep(4, 200, 900);

const request = (voice: SynthesisRequest['voice'], over: Partial<SynthesisRequest> = {}): SynthesisRequest => ({
  requestId: 'c', text: TEXT, voice, language: 'en', speed: 1, seed: 5, ...over,
});
const profileVoice = (key: string, profile: VoiceProfile): SynthesisRequest['voice'] => ({ kind: 'profile', key, profile });

async function run(e: Qwen3Engine, req: SynthesisRequest, stats?: RunStats) {
  const frames: number[][] = [];
  const chunks: Float32Array[] = [];
  let endFrames = -1;
  for await (const ev of e.generate(req, new AbortController().signal, stats)) {
    if (ev.kind === 'frame') frames.push(ev.codes);
    else if (ev.kind === 'audio') chunks.push(ev.samples);
    else if (ev.kind === 'end') endFrames = ev.frames;
  }
  const audio = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (audio.set(c, at), at + c.length), 0);
  return { frames, audio, endFrames };
}

const clone = (e: Qwen3Engine, samples: Float32Array, transcript?: string) =>
  e.createVoice({ kind: 'audio', samples, sampleRate: RATE, ...(transcript !== undefined ? { transcript } : {}) }, signal);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-clone-'));
  await writeTinyPack(join(root, 'base'));
  base = await loadQwen3Engine(join(root, 'base'), { intraOpThreads: 1 });
  tokenizer = await TextTokenizer.load(join(root, 'base'), ['vocab.json', 'merges.txt']);
});

afterAll(async () => {
  await base?.close();
  await rm(root, { recursive: true, force: true });
});

describe('x-vector cloning', () => {
  it('puts the x-vector in the speaker slot: the voice changes the codes, the same voice and seed repeat them', async () => {
    const a = await clone(base, clipA);
    const b = await clone(base, clipB);
    expect(a.data).toEqual({ format: 'x-vector', hidden_size: 32, embedding: expect.any(String) });
    expect(decodeVector(a.data.embedding as string)).toHaveLength(32);
    expect(b.data.embedding).not.toBe(a.data.embedding);

    const first = await run(base, request(profileVoice('voice_a@1', a)));
    const again = await run(base, request(profileVoice('voice_a@1', a)));
    const other = await run(base, request(profileVoice('voice_b@1', b)));
    expect(again.frames).toEqual(first.frames);
    expect(other.frames).not.toEqual(first.frames);
    // Same text, so the same tiny end of speech: one frame per text token.
    expect(first.endFrames).toBe(tokenizer.encode(TEXT).length);
    expect(other.endFrames).toBe(first.endFrames);
  });
});

describe('in-context cloning', () => {
  let icl: VoiceProfile;
  let xvector: VoiceProfile;

  beforeAll(async () => {
    icl = await clone(base, clipA, `  ${TRANSCRIPT} `);
    xvector = await clone(base, clipA);
  });

  it('stores the x-vector, the reference codes (int16) and the transcript', () => {
    const data = icl.data as unknown as InContextData;
    const frames = Math.ceil(clipA.length / SAMPLES_PER_FRAME);
    expect(data).toEqual({
      format: 'in-context',
      hidden_size: 32,
      embedding: xvector.data.embedding,
      ref_text: TRANSCRIPT,
      ref_frames: frames,
      ref_groups: 16,
      ref_codes: expect.any(String),
    });
    expect(Buffer.from(data.ref_codes, 'base64')).toHaveLength(frames * 16 * 2);
    const codes = decodeCodes(data.ref_codes, data.ref_frames, data.ref_groups).codes;
    expect(Math.min(...codes)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...codes)).toBeLessThan(64);
    expect(new Set(codes).size).toBeGreaterThan(8); // the codes follow the audio, not a constant
  });

  it('encodes other audio to other codes', async () => {
    const other = (await clone(base, clipB, TRANSCRIPT)).data as unknown as InContextData;
    expect(other.ref_frames).toBe((icl.data as unknown as InContextData).ref_frames);
    expect(other.ref_codes).not.toBe(icl.data.ref_codes);
  });

  it('uses codes and transcript: other codes than x-vector mode, repeatable with the seed, each part matters', async () => {
    const data = icl.data as unknown as InContextData;
    const inContext = await run(base, request(profileVoice('voice_icl@1', icl)));
    const repeat = await run(base, request(profileVoice('voice_icl@1', icl)));
    const plain = await run(base, request(profileVoice('voice_xv@1', xvector)));
    expect(repeat.frames).toEqual(inContext.frames);
    expect(inContext.frames).not.toEqual(plain.frames);

    const otherText = { ...icl, data: { ...icl.data, ref_text: 'the voice is warm and calm.' } };
    const otherCodes = { ...icl, data: { ...icl.data, ref_codes: (await clone(base, clipB, TRANSCRIPT)).data.ref_codes } };
    expect((await run(base, request(profileVoice('voice_t@1', otherText)))).frames).not.toEqual(inContext.frames);
    expect((await run(base, request(profileVoice('voice_c@1', otherCodes)))).frames).not.toEqual(inContext.frames);

    // The tiny pack ends speech when the text (transcript, text, tts_eos) runs out: whatever of it
    // the 1 + reference-frames aligned rows did not take trails, one row per frame.
    const spoken = tokenizer.encode(TRANSCRIPT).length + tokenizer.encode(TEXT).length + 1;
    expect(inContext.endFrames).toBe(Math.max(spoken - (1 + data.ref_frames), 2));
    expect(inContext.frames).toHaveLength(inContext.endFrames);
  });

  it('speaks only new frames, decoded with the reference frames as the codec\'s left context', async () => {
    const data = icl.data as unknown as InContextData;
    const { frames, audio } = await run(base, request(profileVoice('voice_icl@1', icl), { seed: 9 }));
    expect(audio.length).toBe(frames.length * SAMPLES_PER_FRAME);
    const reference = frameList(decodeCodes(data.ref_codes, data.ref_frames, data.ref_groups));
    const whole = await base.decodeOffline([...reference, ...frames]);
    const tail = whole.subarray(reference.length * SAMPLES_PER_FRAME);
    let diff = 0;
    for (let i = 0; i < audio.length; i++) diff = Math.max(diff, Math.abs(audio[i]! - tail[i]!));
    expect(diff).toBeLessThan(1e-5);
    // Without the context the first frames would sound different: the context is really used.
    const alone = await base.decodeOffline(frames);
    expect(Math.abs(alone[0]! - audio[0]!) + Math.abs(alone[100]! - audio[100]!)).toBeGreaterThan(1e-4);
  });

  it('decodes a profile once per key: the reference frames are embedded on the first request only', async () => {
    const cachedBefore = base.voices.cached;
    const first = new RunStats();
    const second = new RunStats();
    const a = await run(base, request(profileVoice('voice_once@1', icl)), first);
    const b = await run(base, request(profileVoice('voice_once@1', icl)), second);
    expect(b.frames).toEqual(a.frames);
    expect(base.voices.cached).toBe(cachedBefore + 1);
    const frames = (icl.data as unknown as InContextData).ref_frames;
    const runs = (s: RunStats, name: string) => s.bySession.get(name)?.runs ?? 0;
    // 15 residual codebooks per reference frame, and one codec_embed run for their codebook 0.
    expect(runs(first, 'code_predictor_embed') - runs(second, 'code_predictor_embed')).toBe(15 * frames);
    expect(runs(first, 'codec_embed') - runs(second, 'codec_embed')).toBe(1);
  });

  it('refuses a profile whose codes do not add up', async () => {
    const corrupt = { ...icl, data: { ...icl.data, ref_frames: 7 } };
    await expect(run(base, request(profileVoice('voice_bad@1', corrupt)))).rejects.toMatchObject({
      code: 'voice_incompatible',
      message: expect.stringMatching(/corrupt \(1600 bytes of codes, expected 7 x 16 int16\)/),
    });
  });
});

describe('the prompt layout in context', () => {
  let manifest: Manifest;
  let sessions: ort.InferenceSession[];
  let embed: ReturnType<typeof makeEmbedders>;

  beforeAll(async () => {
    manifest = base.manifest;
    sessions = await Promise.all(
      ['text_project.onnx', 'codec_embed.onnx', 'code_predictor_embed.onnx'].map((f) => ort.InferenceSession.create(join(root, 'base', f))),
    );
    embed = makeEmbedders({ text: sessions[0]!, codec: sessions[1]!, residual: sessions[2]! });
  });
  afterAll(async () => {
    for (const s of sessions ?? []) await s.release();
  });

  const H = 32;
  const rowsOf = (frames: number) => Float32Array.from({ length: frames * H }, (_, i) => Math.sin(i * 0.01));
  const prompt = (over: Partial<PromptRequest> = {}) =>
    buildPrompt(manifest, tokenizer, embed, { text: TEXT, language: 'en', speaker: { kind: 'embedding', vector: new Float32Array(H) }, ...over });

  it('grows by one row per reference frame; the text that does not fit trails', async () => {
    const plain = await prompt();
    const text = tokenizer.encode(TEXT).length;
    const transcript = tokenizer.encode(TRANSCRIPT).length;
    expect(plain.rows).toBe(plain.embeds.length / H);
    expect(plain.trailingRows).toBe(text); // the first text token is in the prompt; the rest and tts_eos trail
    for (const frames of [5, 38, 63]) {
      const p = await prompt({ reference: { text: TRANSCRIPT, rows: rowsOf(frames) } });
      expect(p.rows).toBe(plain.rows + frames);
      expect(p.embeds.length).toBe(p.rows * H);
      expect(p.trailingRows).toBe(Math.max(0, transcript + text + 1 - (1 + frames)));
      expect(p.trailing.length).toBe(p.trailingRows * H);
      expect(p.textTokens).toBe(text);
    }
  });

  it('places the speaker x-vector in one row, added to tts_pad', async () => {
    const vector = Float32Array.from({ length: H }, (_, i) => (i + 1) / 10);
    const reference = { text: TRANSCRIPT, rows: rowsOf(5) };
    const without = await prompt({ reference });
    const withVector = await prompt({ reference, speaker: { kind: 'embedding', vector } });
    const changed: number[] = [];
    for (let r = 0; r < without.rows; r++) {
      const d = Array.from({ length: H }, (_, i) => withVector.embeds[r * H + i]! - without.embeds[r * H + i]!);
      if (d.some((v) => v !== 0)) {
        changed.push(r);
        d.forEach((v, i) => expect(v).toBeCloseTo(vector[i]!, 5));
      }
    }
    // Its slot: after think, think_bos, language, think_eos; before tts_bos + codec pad and the 6 aligned rows.
    expect(changed).toEqual([without.rows - 6 - 2]);
  });

  it('sums each reference frame into its row with the matching text row', async () => {
    const rows = rowsOf(5);
    const a = await prompt({ reference: { text: TRANSCRIPT, rows } });
    const shifted = Float32Array.from(rows, (v, i) => (i >= 2 * H && i < 3 * H ? v + 1 : v));
    const b = await prompt({ reference: { text: TRANSCRIPT, rows: shifted } });
    const diffRows = new Set<number>();
    for (let i = 0; i < a.embeds.length; i++) if (Math.abs(a.embeds[i]! - b.embeds[i]!) > 1e-6) diffRows.add(Math.floor(i / H));
    // Reference frame 2 is aligned row 3 (after codec bos), counted from the end of the prompt.
    expect([...diffRows]).toEqual([a.rows - 6 + 3]);
  });
});

describe('packs of other widths and packs without the codec encoder', () => {
  it('refuses a voice cloned on a pack of another hidden size, naming both sizes; each pack clones its own', async () => {
    // Through the command line, as `npm run tiny-pack -- DIR --hidden-size 48 --id qwen3-tts-tiny-wide`.
    const generator = join(import.meta.dirname, 'tiny-pack', 'generate.ts');
    const args = [generator, join(root, 'wide'), '--hidden-size', '48', '--id', 'qwen3-tts-tiny-wide'];
    const { stdout } = await promisify(execFile)(process.execPath, args);
    expect(stdout).toContain('wrote qwen3-tts-tiny-wide (Base, 2 layers, hidden 48)');
    const wide = await loadQwen3Engine(join(root, 'wide'), { intraOpThreads: 1 });
    try {
      expect(wide.manifest.dims.hidden_size).toBe(48);
      const wideVoice = await clone(wide, clipA, TRANSCRIPT);
      const baseVoice = await clone(base, clipA, TRANSCRIPT);
      expect(wideVoice).toMatchObject({ model: 'qwen3-tts-tiny-wide', data: { format: 'in-context', hidden_size: 48 } });
      expect(decodeVector(wideVoice.data.embedding as string)).toHaveLength(48);

      // Cached under the same key on the base engine first: the refusal must not depend on the cache.
      await run(base, request(profileVoice('voice_same@1', baseVoice)));
      await expect(run(base, request(profileVoice('voice_same@1', wideVoice)))).rejects.toMatchObject({
        code: 'voice_incompatible',
        message: 'This voice was cloned with qwen3-tts-tiny-wide (x-vector of 48 values); qwen3-tts-tiny needs 32.',
      });
      await expect(run(wide, request(profileVoice('voice_same@1', baseVoice)))).rejects.toMatchObject({
        code: 'voice_incompatible',
        message: 'This voice was cloned with qwen3-tts-tiny (x-vector of 32 values); qwen3-tts-tiny-wide needs 48.',
      });
      const own = await run(wide, request(profileVoice('voice_same@2', wideVoice)));
      expect(own.frames.length).toBeGreaterThanOrEqual(2);
    } finally {
      await wide.close();
    }
  });

  it('makes x-vector profiles, transcript or not, where the pack has no codec encoder', async () => {
    await writeTinyPack(join(root, 'no-encoder'), { codecEncoder: false });
    const e = await loadQwen3Engine(join(root, 'no-encoder'), { intraOpThreads: 1 });
    try {
      expect(e.manifest.files['tokenizer12hz_encode.onnx']).toBeUndefined();
      expect(e.voices.inContext).toBe(false);
      expect(base.voices.inContext).toBe(true);
      const withTranscript = await clone(e, clipA, TRANSCRIPT);
      expect(withTranscript.data).toEqual({ format: 'x-vector', hidden_size: 32, embedding: expect.any(String) });
      // The same weights (same seed): the same x-vector as the full pack's.
      expect(withTranscript.data.embedding).toBe((await clone(base, clipA)).data.embedding);
    } finally {
      await e.close();
    }
  });
});
