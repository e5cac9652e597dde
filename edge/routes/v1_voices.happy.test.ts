import { describe, expect, it } from 'vitest';
import { decodeWav, looksLikeSpeech } from '../../test/audio-checks.ts';
import { hasSharedAudio, NO_SHARED_AUDIO, RECORDING_FORMATS, sharedClip, speak, spokenClip, transcode, uploadVoice } from '../../test/clips.ts';
import { useStack } from '../../test/harness/stack.ts';

const stack = useStack();

interface Voice {
  id: string;
  object: string;
  type: string;
  name: string;
  model: string;
  models?: string[];
  language: string | null;
  reference: { duration_seconds: number; speech_seconds: number; sha256: string | null; format: string | null };
  consent?: { given_at: string; key_id: string };
  preview?: { audio: string; sample_rate: number };
}

const SENTENCE = 'The quick brown fox jumps over the lazy dog, and then it runs far away across the quiet field.';
let spoken: Uint8Array | undefined;
/** Clips the stack speaks itself, so these tests pass without the provided folder. */
const ownClip = async () => (spoken ??= await spokenClip(stack.edge, stack.key, SENTENCE));

describe('POST /v1/voices: cloning', () => {
  it.skipIf(!hasSharedAudio)(`clones each provided clip format, ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async () => {
    for (const name of ['ref-en-3s.wav', 'ref-en-10s-16k.wav', 'ref-en-10s-44k-stereo.wav', 'ref-en-10s.mp3', 'ref-en-10s.ogg', 'ref-en-10s.flac', 'synthetic-fr-espeak.wav']) {
      const response = await uploadVoice(stack.edge, stack.key, sharedClip(name), { name });
      expect(response.status, `${name}: ${await response.clone().text()}`).toBe(201);
      const voice = (await response.json()) as Voice;
      expect(voice).toMatchObject({ object: 'voice', type: 'clone', name, model: 'espeak' });
      expect(voice.id).toMatch(/^voice_[0-9a-f]{24}$/);
      expect(voice.reference.speech_seconds).toBeGreaterThan(2);
    }
  });

  it.each(Object.keys(RECORDING_FORMATS) as Array<keyof typeof RECORDING_FORMATS>)('clones a %s recording', async (format) => {
    const clip = await transcode(await ownClip(), format);
    const response = await uploadVoice(stack.edge, stack.key, clip, { name: format });
    expect(response.status, await response.clone().text()).toBe(201);
    const voice = (await response.json()) as Voice;
    expect(voice.reference.duration_seconds).toBeGreaterThan(3);
  });

  it('records consent and the clip hash; the same clip again is the same voice, not a duplicate', async () => {
    const clip = await ownClip();
    const first = await uploadVoice(stack.edge, stack.key, clip, { name: 'Twice', transcript: SENTENCE, language: 'en' });
    const voice = (await first.json()) as Voice;
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', clip)).toString('hex');
    expect(voice.reference.sha256).toBe(digest);
    expect(voice.consent?.key_id).toMatch(/^key_/);
    expect(Date.parse(voice.consent!.given_at)).toBeGreaterThan(Date.now() - 60_000);

    const again = await uploadVoice(stack.edge, stack.key, clip, { name: 'Twice again' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Voice).id).toBe(voice.id);
    const list = (await (await stack.edge.fetch('/v1/voices?type=clone', { key: stack.key })).json()) as { data: Voice[] };
    expect(list.data.filter((v) => v.id === voice.id)).toHaveLength(1);
  });

  it('speaks with the cloned voice, names it in the headers, and reads it back', async () => {
    const voice = (await (await uploadVoice(stack.edge, stack.key, await ownClip(), { name: 'Speaker' })).json()) as Voice;
    const response = await speak(stack.edge, stack.key, { input: 'Now I speak with a cloned voice.', voice: voice.id });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get('x-tts-voice')).toBe(voice.id);
    const { samples, header } = decodeWav(new Uint8Array(await response.arrayBuffer()));
    expect(looksLikeSpeech(samples, header.sampleRate).ok).toBe(true);

    const read = (await (await stack.edge.fetch(`/v1/voices/${voice.id}`, { key: stack.key })).json()) as Voice;
    expect(read).toMatchObject({ id: voice.id, type: 'clone', models: ['espeak'] });
  });

  it('deleting a voice makes speech with it answer 404 from the next request on', async () => {
    const clip = await transcode(await ownClip(), 'flac');
    const voice = (await (await uploadVoice(stack.edge, stack.key, clip, { name: 'Short-lived' })).json()) as Voice;
    expect((await speak(stack.edge, stack.key, { input: 'Still here.', voice: voice.id })).status).toBe(200);
    const deleted = await stack.edge.fetch(`/v1/voices/${voice.id}`, { method: 'DELETE', key: stack.key });
    expect(await deleted.json()).toEqual({ id: voice.id, object: 'voice.deleted', deleted: true });
    const after = await speak(stack.edge, stack.key, { input: 'Gone?', voice: voice.id });
    expect(after.status).toBe(404);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('voice_not_found');
    expect((await stack.edge.fetch(`/v1/voices/${voice.id}`, { key: stack.key })).status).toBe(404);
    // Its clip is gone from R2 too.
    const bucket = await stack.edge.mf.getR2Bucket('VOICE_CLIPS');
    expect((await bucket.list()).objects.map((o) => o.key).filter((k) => k.includes(voice.id))).toEqual([]);
  });
});

describe('POST /v1/voices/design', () => {
  it('designs a voice from a description, with a preview, and speaks with it', async () => {
    const response = await stack.edge.fetch('/v1/voices/design', {
      method: 'POST',
      key: stack.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'A deep, slow voice of an old man.', name: 'Narrator', preview: true }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const voice = (await response.json()) as Voice;
    expect(voice).toMatchObject({ type: 'design', name: 'Narrator', model: 'espeak', language: 'en' });
    const preview = decodeWav(Uint8Array.from(Buffer.from(voice.preview!.audio, 'base64')));
    expect(preview.header.sampleRate).toBe(24_000);
    expect(looksLikeSpeech(preview.samples, 24_000).ok).toBe(true);

    const speech = await speak(stack.edge, stack.key, { input: 'A designed voice speaking.', voice: voice.id });
    expect(speech.status, await speech.clone().text()).toBe(200);
  });
});

describe('GET /v1/voices', () => {
  it('pages through presets and own voices with a cursor, each voice once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await stack.edge.fetch(`/v1/voices?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { key: stack.key });
      const page = (await response.json()) as { data: Voice[]; has_more: boolean; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(7);
      seen.push(...page.data.map((v) => `${v.type}:${v.id}`));
      cursor = page.next_cursor;
      expect(page.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor && pages < 50);
    const all = (await (await stack.edge.fetch('/v1/voices', { key: stack.key })).json()) as { data: Voice[] };
    expect(seen).toEqual(all.data.map((v) => `${v.type}:${v.id}`));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.some((v) => v.startsWith('preset:'))).toBe(true);
    expect(seen.some((v) => v.startsWith('clone:'))).toBe(true);
  });

  it('filters by type and language', async () => {
    const presets = (await (await stack.edge.fetch('/v1/voices?type=preset&language=fr', { key: stack.key })).json()) as { data: Voice[] };
    expect(presets.data.length).toBeGreaterThan(0);
    expect(presets.data.every((v) => v.type === 'preset' && v.language === 'fr')).toBe(true);
    const designs = (await (await stack.edge.fetch('/v1/voices?type=design', { key: stack.key })).json()) as { data: Voice[] };
    expect(designs.data.every((v) => v.type === 'design')).toBe(true);
  });
});
