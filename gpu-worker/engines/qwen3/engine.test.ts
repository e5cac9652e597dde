import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRequestError, type SynthesisRequest, type VoiceSelection } from '../types.ts';
import { loadQwen3Engine, type GenerationEvent, type Qwen3Engine } from './engine.ts';
import { maxFrames } from './prompt.ts';
import { RunStats } from './run-stats.ts';
import { TextTokenizer } from './tokenizer.ts';
import { writeTinyPack } from './tiny-pack/generate.ts';

const SAMPLES_PER_FRAME = 1920;
const TEXT = 'Hello world, this is a test of the speech system.';

let root: string;
let engine: Qwen3Engine;
let tokenizer: TextTokenizer;

function request(over: Partial<SynthesisRequest> = {}): SynthesisRequest {
  return { requestId: 'r', text: TEXT, voice: { kind: 'preset', id: 'default' }, language: 'en', speed: 1, seed: 7, ...over };
}

async function collect(e: Qwen3Engine, req: SynthesisRequest, signal = new AbortController().signal) {
  const frames: number[][] = [];
  const chunks: Float32Array[] = [];
  let end: Extract<GenerationEvent, { kind: 'end' }> | undefined;
  for await (const ev of e.generate(req, signal)) {
    if (ev.kind === 'frame') frames.push(ev.codes);
    else if (ev.kind === 'audio') chunks.push(ev.samples);
    else if (ev.kind === 'end') end = ev;
  }
  const audio = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    audio.set(c, at);
    at += c.length;
  }
  return { frames, chunks, audio, end: end! };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-engine-'));
  await writeTinyPack(join(root, 'base'));
  engine = await loadQwen3Engine(join(root, 'base'), { intraOpThreads: 1 });
  tokenizer = await TextTokenizer.load(join(root, 'base'), ['vocab.json', 'merges.txt']);
});

afterAll(async () => {
  await engine?.close();
  await rm(root, { recursive: true, force: true });
});

describe('qwen3 engine on the tiny pack', () => {
  it('describes the model from the manifest', () => {
    expect(engine.info.id).toBe('qwen3-tts-tiny');
    expect(engine.info.sample_rate).toBe(24000);
    expect(engine.info.languages).toEqual(['en', 'zh', 'ja', 'ko', 'de', 'fr', 'ru', 'pt', 'es', 'it']);
    expect(engine.info.capabilities).toMatchObject({ streaming: true, clone: 'full', seed: true });
    expect(engine.info.voices.map((v) => v.id)).toEqual(['default']);
  });

  it('generates one frame per text token (the tiny end of speech) and 1,920 samples per frame', async () => {
    const tokens = tokenizer.encode(TEXT).length;
    const { frames, audio, end } = await collect(engine, request());
    expect(end).toMatchObject({ reason: 'eos', frames: tokens });
    expect(frames).toHaveLength(tokens);
    for (const f of frames) {
      expect(f).toHaveLength(16);
      expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...f)).toBeLessThan(64); // codes only, never control tokens
    }
    expect(audio.length).toBe(tokens * SAMPLES_PER_FRAME);
  });

  it('streams a small first chunk, then larger ones, and the stream equals the offline decode', async () => {
    const { frames, chunks, audio } = await collect(engine, request());
    expect(chunks[0]!.length).toBe(2 * SAMPLES_PER_FRAME);
    expect(chunks[1]!.length).toBe(4 * SAMPLES_PER_FRAME);
    expect(chunks[2]!.length).toBe(8 * SAMPLES_PER_FRAME);
    const offline = await engine.decodeOffline(frames);
    expect(offline.length).toBe(audio.length);
    expect(maxAbsDiff(audio, offline)).toBeLessThan(1e-5);
  });

  it('also equals the offline decode past the 25 frames of left context', async () => {
    const long = 'the quick brown fox jumps over the lazy dog. '.repeat(3);
    const { frames, audio, chunks } = await collect(engine, request({ text: long }));
    expect(frames.length).toBeGreaterThan(60);
    expect(chunks.length).toBeGreaterThan(4);
    expect(maxAbsDiff(audio, await engine.decodeOffline(frames))).toBeLessThan(1e-5);
  });

  it('gives identical audio for the same seed and different audio for different seeds', async () => {
    const a = await collect(engine, request({ seed: 1 }));
    const b = await collect(engine, request({ seed: 1 }));
    const c = await collect(engine, request({ seed: 2 }));
    expect(b.frames).toEqual(a.frames);
    expect(Buffer.from(b.audio.buffer).equals(Buffer.from(a.audio.buffer))).toBe(true);
    expect(c.frames).not.toEqual(a.frames);
    expect(maxAbsDiff(a.audio, c.audio)).toBeGreaterThan(0.01);
  });

  it('stops within one step of cancellation', async () => {
    const controller = new AbortController();
    const frames: number[] = [];
    let end: GenerationEvent | undefined;
    for await (const ev of engine.generate(request(), controller.signal)) {
      if (ev.kind === 'frame') {
        frames.push(ev.index);
        if (ev.index === 3) controller.abort();
      }
      if (ev.kind === 'end') end = ev;
    }
    expect(frames).toEqual([0, 1, 2, 3]);
    expect(end).toMatchObject({ kind: 'end', reason: 'aborted', frames: 4 });
  });

  it('produces nothing for a request aborted before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    const chunks: Float32Array[] = [];
    for await (const c of engine.synthesize(request(), controller.signal)) chunks.push(c.audio);
    expect(chunks).toEqual([]);
  });

  it('runs two concurrent requests without disturbing each other', async () => {
    const soloA = await collect(engine, request({ seed: 11 }));
    const soloB = await collect(engine, request({ seed: 12, text: 'A second, different sentence to speak.' }));
    const [a, b] = await Promise.all([
      collect(engine, request({ seed: 11 })),
      collect(engine, request({ seed: 12, text: 'A second, different sentence to speak.' })),
    ]);
    expect(a.frames).toEqual(soloA.frames);
    expect(b.frames).toEqual(soloB.frames);
    expect(maxAbsDiff(a.audio, soloA.audio)).toBe(0);
    expect(maxAbsDiff(b.audio, soloB.audio)).toBe(0);
  });

  it('rejects a language the pack does not speak, naming the ones it does', async () => {
    const run = collect(engine, request({ language: 'ar' }));
    await expect(run).rejects.toBeInstanceOf(EngineRequestError);
    await expect(run).rejects.toThrow(/does not speak "ar".*en, zh, ja, ko, de, fr, ru, pt, es, it/);
  });

  it('rejects an unknown preset voice', async () => {
    await expect(collect(engine, request({ voice: { kind: 'preset', id: 'vivian' } }))).rejects.toMatchObject({ code: 'voice_not_found' });
  });

  it('clones a voice from reference audio into a JSON profile that synthesis accepts back', async () => {
    const rate = 16000;
    const reference = Float32Array.from({ length: 3 * rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate) * Math.sin(i / 900));
    const profile = await engine.createVoice({ kind: 'audio', samples: reference, sampleRate: rate }, new AbortController().signal);
    expect(profile).toMatchObject({ engine: 'qwen3-tts', model: 'qwen3-tts-tiny', kind: 'clone', data: { format: 'x-vector', hidden_size: 32 } });
    const stored = JSON.parse(JSON.stringify(profile));
    const voice: VoiceSelection = { kind: 'profile', key: 'voice_a@1', profile: stored };
    const cloned = await collect(engine, request({ voice, seed: 3 }));
    const again = await collect(engine, request({ voice, seed: 3 }));
    const preset = await collect(engine, request({ seed: 3 }));
    expect(cloned.frames).toEqual(again.frames);
    expect(cloned.frames).not.toEqual(preset.frames);

    const other = await engine.createVoice(
      { kind: 'audio', samples: reference.map((v, i) => v + 0.2 * Math.sin(i / 3)), sampleRate: rate },
      new AbortController().signal,
    );
    expect(other.data.embedding).not.toBe(profile.data.embedding);
  });

  it('refuses reference audio that is too short to clone from', async () => {
    await expect(
      engine.createVoice({ kind: 'audio', samples: new Float32Array(2400), sampleRate: 24000 }, new AbortController().signal),
    ).rejects.toMatchObject({ code: 'reference_too_short' });
  });

  it('refuses an x-vector of another size', async () => {
    const profile = { engine: 'qwen3-tts', model: 'qwen3-tts-0.6b-base', kind: 'clone' as const, data: { format: 'x-vector', hidden_size: 1024, embedding: '' } };
    await expect(collect(engine, request({ voice: { kind: 'profile', key: 'voice_x@1', profile } }))).rejects.toMatchObject({ code: 'voice_incompatible' });
  });
});

describe('qwen3 generation limits and variants', () => {
  it('stops a pack that never ends speech at the frame limit derived from the text length', async () => {
    const dir = join(root, 'never');
    const manifest = await writeTinyPack(dir, { eos: 'never' });
    const e = await loadQwen3Engine(dir, { warmUp: false, intraOpThreads: 1 });
    try {
      const text = 'Hi.';
      const tokens = tokenizer.encode(text).length;
      const { frames, end, audio } = await collect(e, request({ text }));
      expect(frames).toHaveLength(maxFrames(manifest, tokens));
      expect(end.reason).toBe('max_frames');
      expect(audio.length).toBe(frames.length * SAMPLES_PER_FRAME);
    } finally {
      await e.close();
    }
  });

  it('serves CustomVoice presets, dialect speakers and instructions', async () => {
    const dir = join(root, 'custom');
    await writeTinyPack(dir, { variant: 'CustomVoice' });
    const e = await loadQwen3Engine(dir, { warmUp: false, intraOpThreads: 1 });
    try {
      expect(e.info.id).toBe('qwen3-tts-tiny-customvoice');
      expect(e.info.voices.map((v) => v.id)).toEqual(['vivian', 'ryan', 'eric']);
      expect(e.info.default_voice).toBe('vivian');
      expect(e.info.capabilities).toMatchObject({ clone: 'none', instructions: true });
      const ryan = await collect(e, request({ voice: { kind: 'preset', id: 'Ryan' } }));
      const vivian = await collect(e, request({ voice: { kind: 'preset', id: 'vivian' } }));
      const styled = await collect(e, request({ voice: { kind: 'preset', id: 'ryan' }, instructions: 'Very excited.' }));
      expect(ryan.frames).not.toEqual(vivian.frames);
      expect(styled.frames).not.toEqual(ryan.frames);
      const eric = await collect(e, request({ voice: { kind: 'preset', id: 'eric' }, language: 'zh', text: '你好' }));
      expect(eric.end.reason).toBe('eos');
      await expect(
        e.createVoice({ kind: 'audio', samples: new Float32Array(48000), sampleRate: 24000 }, new AbortController().signal),
      ).rejects.toMatchObject({ code: 'clone_unsupported' });
    } finally {
      await e.close();
    }
  });

  it('designs a voice from a description (VoiceDesign)', async () => {
    const dir = join(root, 'design');
    await writeTinyPack(dir, { variant: 'VoiceDesign' });
    const e = await loadQwen3Engine(dir, { warmUp: false, intraOpThreads: 1 });
    try {
      expect(e.info.capabilities.design).toBe('full');
      const profile = await e.createVoice({ kind: 'description', text: 'A calm, low male narrator.' }, new AbortController().signal);
      expect(profile).toMatchObject({ kind: 'design', data: { description: 'A calm, low male narrator.' } });
      const designed = await collect(e, request({ voice: { kind: 'profile', key: 'voice_d@1', profile } }));
      const plain = await collect(e, request());
      expect(designed.end.reason).toBe('eos');
      expect(designed.frames).not.toEqual(plain.frames);
    } finally {
      await e.close();
    }
  });

  it('hands a float16 KV cache back untouched: half the cache bytes cross per step', async () => {
    const dir = join(root, 'fp16');
    const manifest = await writeTinyPack(dir, { kvType: 'float16' });
    const e = await loadQwen3Engine(dir, { warmUp: false, intraOpThreads: 1 });
    try {
      const cacheBytes = async (en: Qwen3Engine, bytesPerValue: number) => {
        const stats = new RunStats();
        const events = [];
        for await (const ev of en.generate(request(), new AbortController().signal, stats)) events.push(ev);
        const { hidden_size: H, num_layers: L, num_kv_heads: KVH, head_dim: D } = manifest.dims;
        const prompt = stats.bySession.get('talker_prefill')!.bytesIn / (H * 4 + 8);
        const decode = stats.bySession.get('talker_decode')!;
        let expected = 0;
        for (let step = 0; step < decode.runs; step++) {
          const P = prompt + step;
          expected += H * 4 + (P + 1) * 8 + 2 * L * KVH * P * D * bytesPerValue;
        }
        return { measured: decode.bytesIn, expected, frames: events.filter((ev) => ev.kind === 'frame').length };
      };
      const half = await cacheBytes(e, 2);
      const full = await cacheBytes(engine, 4);
      expect(half.measured).toBe(half.expected);
      expect(full.measured).toBe(full.expected);
      expect(half.frames).toBe(tokenizer.encode(TEXT).length);
    } finally {
      await e.close();
    }
  });
});
