import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyPack } from '../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { speak, spokenClip, uploadVoice } from './clips.ts';
import { type StackHarness, startStack } from './harness/stack.ts';

// Two generated Base packs of different widths: a voice's profile from one does not fit the other.
let dir: string;
let stack: StackHarness;
const NARROW = 'qwen3-tts-tiny';
const WIDE = 'qwen3-tts-tiny-wide';
const DESIGN = 'qwen3-tts-tiny-design';
const TRANSCRIPT = 'The quick brown fox jumps over the lazy dog, again and again, for a little while.';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'voice-packs-'));
  await writeTinyPack(join(dir, 'narrow'), { id: NARROW });
  await writeTinyPack(join(dir, 'wide'), { id: WIDE, hiddenSize: 48 });
  await writeTinyPack(join(dir, 'design'), { id: DESIGN, variant: 'VoiceDesign' });
  stack = await startStack({ workerArgs: ['--pack', join(dir, 'narrow'), '--pack', join(dir, 'wide'), '--pack', join(dir, 'design')] });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Voice {
  id: string;
  model: string;
  models?: string[];
}

const audioOf = async (response: Response) => {
  expect(response.status, await response.clone().text()).toBe(200);
  return Buffer.from(await response.arrayBuffer());
};

describe('voices on Qwen3-TTS packs, through the edge', () => {
  it('clones in context on a Base pack, and the voice steers the output; same voice and seed, same audio', async () => {
    const clip = await spokenClip(stack.edge, stack.key, TRANSCRIPT);
    const created = await uploadVoice(stack.edge, stack.key, clip, { model: NARROW, transcript: TRANSCRIPT, language: 'en' });
    expect(created.status, await created.clone().text()).toBe(201);
    const voice = (await created.json()) as Voice;
    expect(voice.model).toBe(NARROW);
    const profile = (await (await stack.edge.mf.getKVNamespace('VOICES')).list()).keys.find((k) => k.name.startsWith(`voice:${voice.id}@`));
    const record = (await (await stack.edge.mf.getKVNamespace('VOICES')).get(profile!.name, 'json')) as { profiles: Record<string, { data: { format: string } }> };
    expect(record.profiles[NARROW]!.data.format).toBe('in-context');

    const request = { model: NARROW, input: 'Hello there, cloned.', seed: 7, response_format: 'pcm' };
    const withVoice = await audioOf(await speak(stack.edge, stack.key, { ...request, voice: voice.id }));
    const again = await audioOf(await speak(stack.edge, stack.key, { ...request, voice: voice.id }));
    const withDefault = await audioOf(await speak(stack.edge, stack.key, request));
    expect(withVoice.equals(again)).toBe(true);
    expect(withVoice.equals(withDefault)).toBe(false);
  });

  it('a voice made on one pack, used with a pack of another width, gets its own profile from the stored clip', async () => {
    const clip = await spokenClip(stack.edge, stack.key, 'Another reference clip, spoken slowly enough to last for several seconds.', 'en-female');
    const voice = (await (await uploadVoice(stack.edge, stack.key, clip, { model: NARROW })).json()) as Voice;
    expect(((await (await stack.edge.fetch(`/v1/voices/${voice.id}`, { key: stack.key })).json()) as Voice).models).toEqual([NARROW]);

    const wide = await audioOf(await speak(stack.edge, stack.key, { model: WIDE, input: 'Wider now.', voice: voice.id, seed: 1, response_format: 'pcm' }));
    expect(wide.byteLength).toBeGreaterThan(0);
    const read = (await (await stack.edge.fetch(`/v1/voices/${voice.id}`, { key: stack.key })).json()) as Voice;
    expect(read.models?.sort()).toEqual([NARROW, WIDE].sort());
    // And it is kept: the same request again is the same audio, from the same stored profile.
    const wideAgain = await audioOf(await speak(stack.edge, stack.key, { model: WIDE, input: 'Wider now.', voice: voice.id, seed: 1, response_format: 'pcm' }));
    expect(wideAgain.equals(wide)).toBe(true);
  });

  it('designs on a VoiceDesign pack, and a Base pack speaks the designed voice by cloning its preview', async () => {
    const response = await stack.edge.fetch('/v1/voices/design', {
      method: 'POST',
      key: stack.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: DESIGN, description: 'A warm, low voice.', preview_text: 'One, two, three, four, five, six, seven, eight, nine, ten.', seed: 2 }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const voice = (await response.json()) as Voice;
    expect(voice.model).toBe(DESIGN);

    const designed = await audioOf(await speak(stack.edge, stack.key, { model: DESIGN, input: 'Designed.', voice: voice.id, seed: 4, response_format: 'pcm' }));
    expect(designed.byteLength).toBeGreaterThan(0);
    // Base packs have no design: they clone the stored preview, once, and keep that profile.
    const cloned = await audioOf(await speak(stack.edge, stack.key, { model: NARROW, input: 'Cloned from the preview.', voice: voice.id, seed: 4, response_format: 'pcm' }));
    const again = await audioOf(await speak(stack.edge, stack.key, { model: NARROW, input: 'Cloned from the preview.', voice: voice.id, seed: 5, response_format: 'pcm' }));
    expect(cloned.byteLength).toBeGreaterThan(0);
    expect(again.byteLength).toBeGreaterThan(0);
    const read = (await (await stack.edge.fetch(`/v1/voices/${voice.id}`, { key: stack.key })).json()) as Voice;
    expect(read.models?.sort()).toEqual([DESIGN, NARROW].sort());
  });
});
