import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyPack } from '../../../../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { decodeWav } from '../../../../test/audio-checks.ts';
import { hasSharedAudio, NO_SHARED_AUDIO, SHARED_AUDIO, sharedClip, speak } from '../../../../test/clips.ts';
import { probeAudio } from '../../../../test/decode-audio.ts';
import { type StackHarness, startStack } from '../../../../test/harness/stack.ts';

// ElevenLabs' voices through its official SDK, on the same voices as our own API: espeak's
// presets, clones (espeak clones) and designs (a tiny Qwen3 VoiceDesign pack designs).
let dir: string;
let stack: StackHarness;
const DESIGN = 'qwen3-tts-tiny-design';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'elevenlabs-voices-'));
  await writeTinyPack(join(dir, 'design'), { id: DESIGN, variant: 'VoiceDesign' });
  stack = await startStack({ workerArgs: ['--pack', join(dir, 'design')] });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const client = (apiKey: string) => new ElevenLabsClient({ apiKey, baseUrl: `${stack.edge.url}/elevenlabs`, maxRetries: 0 });
const clipPath = (name: string) => ({ path: join(SHARED_AUDIO, name) });
const sha256 = async (bytes: Uint8Array) => Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');

interface OurVoice {
  id: string;
  type: string;
  name: string;
  model: string;
  language: string | null;
  description: string | null;
  reference: { sha256: string | null; duration_seconds: number };
  consent?: { key_id: string };
}
/** Our own API's list of the account's voices (every page). */
async function ourVoiceIds(key: string): Promise<string[]> {
  const response = await stack.edge.fetch('/v1/voices', { key });
  expect(response.status).toBe(200);
  const page = (await response.json()) as { data: Array<{ id: string }>; has_more: boolean };
  expect(page.has_more).toBe(false);
  return page.data.map((voice) => voice.id);
}
const ourVoice = async (key: string, id: string) => {
  const response = await stack.edge.fetch(`/v1/voices/${id}`, { key });
  return { status: response.status, voice: (await response.json()) as OurVoice };
};

describe('ElevenLabs voices: reading', () => {
  it('voices.getAll lists the presets as premade voices, with their labels and settings', async () => {
    const { voices } = await client(stack.key).voices.getAll();
    // Our own API lists the same presets, in the same order.
    const ours = await stack.edge.fetch('/v1/voices?type=preset', { key: stack.key });
    const presets = ((await ours.json()) as { data: Array<{ id: string; name: string; gender: string; language: string; model: string }> }).data;
    expect(presets.length).toBeGreaterThan(1);
    expect(voices.map((voice) => voice.voiceId)).toEqual(presets.map((preset) => preset.id));
    const first = voices[0]!;
    expect(first).toMatchObject({
      voiceId: presets[0]!.id,
      name: presets[0]!.name,
      category: 'premade',
      labels: { gender: presets[0]!.gender, language: presets[0]!.language },
      previewUrl: undefined, // null on the wire: the SDK reads it as undefined
      isOwner: false,
      highQualityBaseModelIds: [presets[0]!.model],
      settings: { speed: 1 },
      fineTuning: { isAllowedToFineTune: false },
    });
  });

  it('voices.search walks every voice a page at a time, in the order getAll lists them, and filters', async () => {
    const sdk = client(stack.key);
    const all = (await sdk.voices.getAll()).voices.map((voice) => voice.voiceId);
    const walked: string[] = [];
    let token: string | undefined;
    for (let pages = 0; pages <= all.length; pages++) {
      const page = await sdk.voices.search({ pageSize: 1, ...(token ? { nextPageToken: token } : {}) });
      expect(page.voices).toHaveLength(1);
      expect(page.totalCount).toBe(all.length);
      walked.push(page.voices[0]!.voiceId);
      if (!page.hasMore) {
        expect(page.nextPageToken ?? null).toBeNull();
        break;
      }
      token = page.nextPageToken!;
    }
    expect(walked).toEqual(all);

    const english = await sdk.voices.search({ language: 'en', pageSize: 100 });
    expect(english.voices.length).toBeGreaterThan(0);
    expect(english.voices.every((voice) => voice.labels?.language === 'en')).toBe(true);
    const female = await sdk.voices.search({ gender: 'female', pageSize: 100 });
    expect(female.voices.length).toBeGreaterThan(0);
    expect(female.voices.every((voice) => voice.labels?.gender === 'female')).toBe(true);
    const named = all[1]!;
    expect((await sdk.voices.search({ voiceIds: [named] })).voices.map((voice) => voice.voiceId)).toEqual([named]);
    expect((await sdk.voices.search({ category: 'cloned' })).totalCount).toBe(0);
    expect((await sdk.voices.search({ voiceType: 'default', pageSize: 100 })).voices.map((voice) => voice.voiceId)).toEqual(all);
  });

  it('voices.get answers one preset in the same shape as the list', async () => {
    const sdk = client(stack.key);
    const listed = (await sdk.voices.getAll()).voices[1]!;
    expect(await sdk.voices.get(listed.voiceId)).toEqual(listed);
  });

  it('a client token with voices:read reads them too', async () => {
    const minted = await stack.edge.fetch('/v1/tokens', { method: 'POST', key: stack.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scopes: ['voices:read'] }) });
    const { token } = (await minted.json()) as { token: string };
    const sdk = client(token);
    expect((await sdk.voices.getAll()).voices.length).toBeGreaterThan(0);
    expect((await sdk.voices.search({ pageSize: 2 })).voices).toHaveLength(2);
  });
});

describe('ElevenLabs voices: cloning and deleting, one store with our API', () => {
  it.skipIf(!hasSharedAudio)(`voices.ivc.create with two files clones from the first, and the voice is in both dialects ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async () => {
    const { key } = await stack.edge.createKey();
    const sdk = client(key);
    const created = await sdk.voices.ivc.create({
      name: 'Kennedy',
      files: [clipPath('ref-en-10s.mp3'), clipPath('ref-en-3s.wav')],
      description: 'A speech, 1961.',
      labels: { language: 'en', accent: 'american' },
      removeBackgroundNoise: true,
    });
    expect(created).toEqual({ voiceId: expect.stringMatching(/^voice_[0-9a-f]{24}$/), requiresVerification: false });

    // One store: our API has the same voice, made from the first file, with the key as consent.
    const { voice } = await ourVoice(key, created.voiceId);
    expect(voice).toMatchObject({ id: created.voiceId, type: 'clone', name: 'Kennedy', language: 'en', description: 'A speech, 1961.', model: 'espeak' });
    expect(voice.reference.sha256).toBe(await sha256(sharedClip('ref-en-10s.mp3')));
    expect(voice.consent?.key_id).toMatch(/^key_/);
    expect(await ourVoiceIds(key)).toContain(created.voiceId);

    const listed = (await sdk.voices.getAll()).voices.find((v) => v.voiceId === created.voiceId);
    expect(listed).toMatchObject({ name: 'Kennedy', category: 'cloned', labels: { language: 'en' }, description: 'A speech, 1961.', isOwner: true });
    expect(listed!.createdAtUnix).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(await sdk.voices.get(created.voiceId)).toMatchObject({ voiceId: created.voiceId, category: 'cloned', highQualityBaseModelIds: ['espeak'] });
    const clones = await sdk.voices.search({ category: 'cloned', search: 'kenn' });
    expect(clones.voices.map((v) => v.voiceId)).toEqual([created.voiceId]);
    expect((await sdk.voices.search({ voiceType: 'personal' })).totalCount).toBe(1);

    // Made through one dialect, spoken through the other.
    const speech = await speak(stack.edge, key, { model: 'espeak', input: 'Ask not.', voice: created.voiceId });
    expect(speech.status, await speech.clone().text()).toBe(200);
    expect(decodeWav(new Uint8Array(await speech.arrayBuffer())).samples.length).toBeGreaterThan(0);

    // The same clips again: the same voice, not a second one.
    const again = await sdk.voices.ivc.create({ name: 'Kennedy again', files: [clipPath('ref-en-10s.mp3')] });
    expect(again.voiceId).toBe(created.voiceId);
    expect((await sdk.voices.search({ voiceType: 'personal' })).totalCount).toBe(1);
  });

  it.skipIf(!hasSharedAudio)(`passes over a file that makes no voice and clones from the next ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async () => {
    const { key } = await stack.edge.createKey();
    const created = await client(key).voices.ivc.create({ name: 'Second file', files: [clipPath('truncated.wav'), clipPath('too-short-1s.wav'), clipPath('ref-en-10s-16k.wav')] });
    const { voice } = await ourVoice(key, created.voiceId);
    expect(voice.reference.sha256).toBe(await sha256(sharedClip('ref-en-10s-16k.wav')));
  });

  it.skipIf(!hasSharedAudio)(`voices.delete deletes it from both dialects ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async () => {
    const { key } = await stack.edge.createKey();
    const sdk = client(key);
    const { voiceId } = await sdk.voices.ivc.create({ name: 'Short-lived', files: [clipPath('ref-en-3s.wav')] });
    expect(await ourVoiceIds(key)).toContain(voiceId);

    expect(await sdk.voices.delete(voiceId)).toEqual({ status: 'ok' });
    expect(await ourVoiceIds(key)).not.toContain(voiceId);
    expect((await ourVoice(key, voiceId)).status).toBe(404);
    expect((await sdk.voices.getAll()).voices.map((v) => v.voiceId)).not.toContain(voiceId);
    expect((await sdk.voices.search({ voiceType: 'personal' })).totalCount).toBe(0);
    const speech = await speak(stack.edge, key, { model: 'espeak', input: 'Gone.', voice: voiceId });
    expect(speech.status).toBe(404);
  });
});

describe('ElevenLabs voice design: a preview, then saved', () => {
  it('textToVoice.design answers a preview that is kept pending, not a voice; textToVoice.create saves exactly it', async () => {
    const { key } = await stack.edge.createKey();
    const sdk = client(key);
    const text = 'One, two, three, four, five, six, seven, eight, nine, ten, and then a little more.';
    const design = await sdk.textToVoice.design({ voiceDescription: 'A warm, low voice.', modelId: 'eleven_multilingual_ttv_v2', text, seed: 3 });
    expect(design.text).toBe(text);
    expect(design.previews).toHaveLength(1);
    const preview = design.previews[0]!;
    expect(preview).toMatchObject({ mediaType: 'audio/wav', language: 'en', generatedVoiceId: expect.stringMatching(/^voice_[0-9a-f]{24}$/) });
    const audio = Buffer.from(preview.audioBase64, 'base64');
    expect((await probeAudio(audio)).codec).toBe('pcm_s16le');
    const wav = decodeWav(audio);
    expect(preview.durationSecs).toBeCloseTo(wav.samples.length / wav.header.sampleRate, 2);
    // A preview is not a voice yet: in neither dialect's lists.
    expect(await ourVoiceIds(key)).not.toContain(preview.generatedVoiceId);
    expect((await sdk.voices.search({ voiceType: 'personal' })).totalCount).toBe(0);

    const saved = await sdk.textToVoice.create({ voiceName: 'Warm', voiceDescription: 'Warm and low.', generatedVoiceId: preview.generatedVoiceId });
    expect(saved).toMatchObject({ voiceId: preview.generatedVoiceId, name: 'Warm', category: 'generated', description: 'Warm and low.', labels: { language: 'en' }, highQualityBaseModelIds: [DESIGN] });

    // One store: our API's designed voice, on the design model, whose clip is the preview heard.
    const { voice } = await ourVoice(key, saved.voiceId);
    expect(voice).toMatchObject({ type: 'design', name: 'Warm', model: DESIGN, language: 'en' });
    expect(voice.reference.duration_seconds).toBeCloseTo(preview.durationSecs, 2);
    const clips = await stack.edge.mf.getR2Bucket('VOICE_CLIPS');
    const stored = (await clips.list()).objects.find((object) => object.key.includes(saved.voiceId));
    const clip = Buffer.from(await (await clips.get(stored!.key))!.arrayBuffer());
    expect(clip.equals(audio)).toBe(true);
    expect((await sdk.voices.search({ category: 'generated' })).voices.map((v) => v.voiceId)).toEqual([saved.voiceId]);

    // Spoken through our API, with the profile the preview was made with.
    const speech = await speak(stack.edge, key, { model: DESIGN, input: 'Designed, then saved.', voice: saved.voiceId, seed: 1 });
    expect(speech.status, await speech.clone().text()).toBe(200);
  });

  it('the older textToVoice.createPreviews designs the same way', async () => {
    const { key } = await stack.edge.createKey();
    const design = await client(key).textToVoice.createPreviews({ voiceDescription: 'A bright, quick voice.' });
    expect(design.previews).toHaveLength(1);
    expect(design.text.length).toBeGreaterThan(0);
    expect(design.previews[0]!.durationSecs).toBeGreaterThan(0);
  });
});
