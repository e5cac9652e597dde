import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatSamples, s16leToFloat } from '../../../shared/audio/pcm.ts';
import { parseWavHeader } from '../../../shared/audio/wav.ts';
import { medianPitchHz } from '../../audio/pitch.ts';
import type { VoiceProfile, VoiceSelection } from '../types.ts';
import { BASE_HZ, HZ_PER_RANGE } from './calibration.ts';
import { EspeakEngine } from './engine.ts';

/** Cloned and designed espeak voices, checked by measuring the pitch and length of real synthesis. */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const REF_CLIP = path.join(repoRoot, '..', 'shared', 'audio', 'ref-en-3s.wav');
const hasRefClip = existsSync(REF_CLIP);
const TEXT = 'We walked along the river until the sun went down.';

let engine: EspeakEngine;
beforeAll(async () => {
  engine = await EspeakEngine.load({ threads: 2 });
});
afterAll(() => engine?.close());

const signal = () => new AbortController().signal;
const profileVoice = (profile: VoiceProfile): VoiceSelection => ({ kind: 'profile', key: 'voice_test@1', profile });
const paramsVoice = (data: Record<string, unknown>) => profileVoice({ engine: 'espeak', model: 'espeak', kind: 'clone', data: { format: 'espeak-params', ...data } });

async function speak(voice: VoiceSelection, text = TEXT, speed = 1): Promise<Float32Array> {
  const chunks: Float32Array[] = [];
  for await (const chunk of engine.synthesize({ requestId: 'test', text, voice, language: 'en', speed }, signal())) chunks.push(chunk.audio);
  return concatSamples(chunks);
}
const median = (samples: Float32Array) => medianPitchHz(samples, engine.info.sample_rate)!;

/** Clones `clip` and checks the clone speaks nearer the clip's median pitch than the default voice. */
async function expectCloneCloser(clip: Float32Array, sampleRate: number, transcript?: string) {
  const target = medianPitchHz(clip, sampleRate)!;
  const profile = await engine.createVoice({ kind: 'audio', samples: clip, sampleRate, ...(transcript ? { transcript } : {}) }, signal());
  const [cloned, preset] = await Promise.all([speak(profileVoice(profile)), speak({ kind: 'preset', id: engine.info.default_voice })]);
  const clonedHz = median(cloned);
  expect(Math.abs(clonedHz - target)).toBeLessThan(Math.abs(median(preset) - target));
  return { profile, target, clonedHz };
}

describe('espeak voice capabilities', () => {
  it('declares cloning and design as approximate', () => {
    expect(engine.info.capabilities).toMatchObject({ clone: 'approximate', design: 'approximate' });
  });
});

describe('espeak calibration', () => {
  it('still matches what espeak says: monotone base pitch, and the lift of range', async () => {
    const [m3Low, f3High, f3Range] = await Promise.all([
      speak(paramsVoice({ variant: 'm3', pitch: 20, range: 0, rate: 1 })),
      speak(paramsVoice({ variant: 'f3', pitch: 80, range: 0, rate: 1 })),
      speak(paramsVoice({ variant: 'f3', pitch: 50, range: 50, rate: 1 })),
    ]);
    expect(median(m3Low) / BASE_HZ.m3[2]!).toBeCloseTo(1, 1);
    expect(median(f3High) / BASE_HZ.f3[8]!).toBeCloseTo(1, 1);
    expect(median(f3Range) / (BASE_HZ.f3[5]! + 50 * HZ_PER_RANGE.f3)).toBeCloseTo(1, 1);
  });
});

describe('espeak voice cloning', () => {
  it.skipIf(!hasRefClip)(
    hasRefClip ? 'a clone of a real human clip speaks nearer its median pitch than the default voice' : `real human clip: skipped, ${REF_CLIP} is missing`,
    async () => {
      const bytes = new Uint8Array(readFileSync(REF_CLIP));
      const header = parseWavHeader(bytes);
      const clip = s16leToFloat(bytes.subarray(header.dataOffset, header.dataOffset + header.dataBytes));
      const { profile, target, clonedHz } = await expectCloneCloser(clip, header.sampleRate);
      expect(profile.data).toMatchObject({ format: 'espeak-params', rate: 1, measured: { median_pitch_hz: expect.closeTo(target, 0) } });
      expect(Math.abs(clonedHz / target - 1)).toBeLessThan(0.1);
    },
  );

  it('a clone of low, slow espeak speech lands near its pitch and rate (with a transcript)', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const clip = await speak(paramsVoice({ variant: 'm3', pitch: 15, range: 30, rate: 1 }), text, 0.75);
    const { profile, target, clonedHz } = await expectCloneCloser(clip, engine.info.sample_rate, text);
    expect(profile).toMatchObject({ engine: 'espeak', model: 'espeak', kind: 'clone', data: { format: 'espeak-params', variant: 'm3' } });
    expect(Math.abs(clonedHz / target - 1)).toBeLessThan(0.1);
    expect(profile.data.rate).toBeGreaterThan(0.65);
    expect(profile.data.rate).toBeLessThan(0.85);
  });

  it('refuses a clip with no voiced speech, and stops when aborted', async () => {
    const silence = new Float32Array(engine.info.sample_rate * 3);
    await expect(engine.createVoice({ kind: 'audio', samples: silence, sampleRate: engine.info.sample_rate }, signal())).rejects.toMatchObject({ code: 'clip_no_speech' });
    const aborted = AbortSignal.abort();
    await expect(engine.createVoice({ kind: 'description', text: 'a man' }, aborted)).rejects.toThrow();
  });
});

describe('espeak voice design', () => {
  it('a deep, slow, elderly man speaks lower and slower than a high, fast young woman', async () => {
    const [deep, high] = await Promise.all(
      ['A deep, slow, elderly male voice', 'A high, fast young woman'].map((text) => engine.createVoice({ kind: 'description', text, language: 'en' }, signal())),
    );
    expect(deep).toMatchObject({ engine: 'espeak', kind: 'design', data: { format: 'espeak-params', description: 'A deep, slow, elderly male voice', language: 'en' } });
    const [deepAudio, highAudio] = await Promise.all([speak(profileVoice(deep!)), speak(profileVoice(high!))]);
    expect(median(deepAudio)).toBeLessThan(median(highAudio) * 0.6);
    expect(deepAudio.length).toBeGreaterThan(highAudio.length * 1.5);
  });

  it('refuses an empty description', async () => {
    await expect(engine.createVoice({ kind: 'description', text: ' ' }, signal())).rejects.toMatchObject({ code: 'empty_description', param: 'description' });
  });
});

describe('espeak voice profiles', () => {
  const valid = { variant: 'f3', pitch: 60, range: 40, rate: 1.2 };
  it.each([
    ['another engine', profileVoice({ engine: 'qwen3-tts', model: 'qwen3-tts-0.6b-base', kind: 'clone', data: { format: 'x-vector' } })],
    ['another format', paramsVoice({ ...valid, format: 'x-vector' })],
    ['a pitch out of range', paramsVoice({ ...valid, pitch: 120 })],
    ['a fractional range', paramsVoice({ ...valid, range: 12.5 })],
    ['an unknown variant', paramsVoice({ ...valid, variant: 'f3+m1' })],
    ['a zero rate', paramsVoice({ ...valid, rate: 0 })],
    ['a missing field', paramsVoice({ variant: 'f3', pitch: 60, rate: 1 })],
  ])('refuses a profile with %s as voice_incompatible', async (_case, voice) => {
    await expect(speak(voice)).rejects.toMatchObject({ code: 'voice_incompatible', param: 'voice' });
  });

  it('speaks a valid profile in the request language', async () => {
    const chunks: Float32Array[] = [];
    for await (const chunk of engine.synthesize({ requestId: 'test', text: 'Bonjour à tous.', voice: paramsVoice(valid), language: 'fr', speed: 1 }, signal())) chunks.push(chunk.audio);
    expect(concatSamples(chunks).length).toBeGreaterThan(engine.info.sample_rate * 0.5);
  });
});
