import { describe, expect, it } from 'vitest';
import { cloneForm, hasSharedAudio, NO_SHARED_AUDIO, sharedClip, speak, spokenClip, uploadVoice } from '../../test/clips.ts';
import { postAskingFirst, postFormWithFetch } from '../../test/early-response.ts';
import { useStack } from '../../test/harness/stack.ts';

const stack = useStack();

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string; param?: string } }).error;

/** The worker is still up and serving after a bad clip: a speech request goes through it. */
async function workerStillServes() {
  const response = await speak(stack.edge, stack.key, { input: 'Still standing.', voice: 'en-female', response_format: 'pcm' });
  expect(response.status).toBe(200);
  expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
}

describe('POST /v1/voices refuses bad clips with the reason, and the worker stays up', () => {
  it.skipIf(!hasSharedAudio).each([
    ['too-short-1s.wav', 422, 'clip_too_short', /1\.0\d? s/],
    ['silence-5s.wav', 422, 'clip_silent', /silen/i],
    ['noise-5s.wav', 422, 'clip_no_speech', /no speech/i],
    ['truncated.wav', 422, 'truncated_audio', /truncated|cut short/i],
    ['bogus-header.wav', 422, 'undecodable_audio', /decode/i],
    ['random-bytes.wav', 422, 'undecodable_audio', /decode|format/i],
  ] as const)(`%s → %i %s ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async (name, status, code, message) => {
    const response = await uploadVoice(stack.edge, stack.key, sharedClip(name), {}, 'audio/wav');
    expect(response.status).toBe(status);
    const error = await errorOf(response);
    expect(error).toMatchObject({ code, param: 'file' });
    expect(error.message).toMatch(message);
    await workerStillServes();
  });

  it('refuses clips it makes itself: a tone (no speech) and one under 3 s', async () => {
    const tone = new Float32Array(24_000 * 4).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 24_000));
    const { wavFile } = await import('../../gpu-worker/audio/wav-file.ts');
    expect(await errorOf(await uploadVoice(stack.edge, stack.key, wavFile(tone, 24_000)))).toMatchObject({ code: 'clip_no_speech' });
    const short = await spokenClip(stack.edge, stack.key, 'Hi.');
    expect(await errorOf(await uploadVoice(stack.edge, stack.key, short))).toMatchObject({ code: 'clip_too_short' });
    await workerStillServes();
  });

  it('415 for a file that says it is not audio, and for a body that is not multipart', async () => {
    const text = await uploadVoice(stack.edge, stack.key, new TextEncoder().encode('hello'), {}, 'text/plain');
    expect(text.status).toBe(415);
    expect(await errorOf(text)).toMatchObject({ code: 'unsupported_media_type', param: 'file' });
    const json = await stack.edge.fetch('/v1/voices', { method: 'POST', key: stack.key, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
  });

  it('413 for a clip over 10 MB, declared or streamed, read by clients that send it all and by those that ask first', async () => {
    const headers = { authorization: `Bearer ${stack.key}` };
    // As most clients upload (fetch, no Expect: 100-continue): the edge reads the rest and drops it, then answers.
    const clip = new Uint8Array(11 * 1024 * 1024);
    for (const framing of ['declared', 'streamed'] as const) {
      const response = await postFormWithFetch(`${stack.edge.url}/v1/voices`, headers, cloneForm(clip), framing);
      expect(response.status, framing).toBe(413);
      expect(await errorOf(response), framing).toMatchObject({ code: 'file_too_large', param: 'file' });
    }
    // A client that asks first (Expect: 100-continue) and declares a size too large to read is
    // refused from the length alone, before it sends the file.
    const total = 64 * 1024 * 1024;
    const declared = { ...headers, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(total) };
    const answer = await postAskingFirst(`${stack.edge.url}/v1/voices`, declared, new Uint8Array(total));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'file_too_large' } });
    expect(answer.bytesSent).toBe(0);
  });

  it('400 without consent, without a file, or with a bad field', async () => {
    const clip = await spokenClip(stack.edge, stack.key, 'A sentence long enough to be a reference clip for cloning a voice.');
    expect(await errorOf(await uploadVoice(stack.edge, stack.key, clip, { consent: 'false' }))).toMatchObject({ code: 'consent_required', param: 'consent' });
    const form = new FormData();
    form.set('name', 'x');
    form.set('consent', 'true');
    expect(await errorOf(await stack.edge.fetch('/v1/voices', { method: 'POST', key: stack.key, body: form }))).toMatchObject({ code: 'missing_file' });
    expect(await errorOf(await uploadVoice(stack.edge, stack.key, clip, { language: 'xx' }))).toMatchObject({ code: 'invalid_parameter', param: 'language' });
    expect(await errorOf(await uploadVoice(stack.edge, stack.key, clip, { model: 'nope' }))).toMatchObject({ code: 'model_not_found' });
  });

  it('404 for speech with a voice id that does not exist, and it costs no request token', async () => {
    const response = await speak(stack.edge, stack.key, { input: 'Hello.', voice: 'voice_000000000000000000000000' });
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ code: 'voice_not_found', param: 'voice' });
  });
});

describe('POST /v1/voices/design refuses bad requests', () => {
  it('400 for an empty description, 404 for an unknown model', async () => {
    const design = (body: unknown) => stack.edge.fetch('/v1/voices/design', { method: 'POST', key: stack.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await errorOf(await design({ description: '  ' }))).toMatchObject({ code: 'invalid_parameter', param: 'description' });
    expect(await errorOf(await design({ description: 'warm', model: 'nope' }))).toMatchObject({ code: 'model_not_found' });
  });
});
