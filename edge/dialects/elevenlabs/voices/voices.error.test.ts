import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedAudio, NO_SHARED_AUDIO, SHARED_AUDIO } from '../../../../test/clips.ts';
import { useStack } from '../../../../test/harness/stack.ts';

// ElevenLabs' voice calls refused: our codes and statuses, in its error shape, raised by its SDK.
const stack = useStack();

const client = (apiKey: string) => new ElevenLabsClient({ apiKey, baseUrl: `${stack.edge.url}/elevenlabs`, maxRetries: 0 });
const clipPath = (name: string) => ({ path: join(SHARED_AUDIO, name) });

interface Refusal {
  statusCode: number;
  detail: { status: string; message: string; param?: string };
}
/** The SDK's error for a call that must fail. */
async function refusal(call: Promise<unknown>): Promise<Refusal> {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ElevenLabsError);
  const { statusCode, body } = error as ElevenLabsError;
  const { detail } = body as { detail: Refusal['detail'] };
  expect(detail.message.length).toBeGreaterThan(0);
  return { statusCode: statusCode!, detail };
}

describe('ElevenLabs voices: refusals', () => {
  it('an unknown voice id is 404 voice_not_found, to get and to delete; a preset cannot be deleted', async () => {
    const sdk = client(stack.key);
    const unknown = 'voice_0123456789abcdef01234567';
    for (const call of [() => sdk.voices.get('no-such-voice'), () => sdk.voices.get(unknown), () => sdk.voices.delete(unknown), () => sdk.voices.delete('en-male')]) {
      expect(await refusal(call())).toMatchObject({ statusCode: 404, detail: { status: 'voice_not_found', param: 'voice_id' } });
    }
  });

  it.skipIf(!hasSharedAudio)(`malformed audio is our 4xx code in its shape, naming the file ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async () => {
    const sdk = client(stack.key);
    for (const [files, status, code] of [
      [['random-bytes.wav'], 422, 'undecodable_audio'],
      [['truncated.wav'], 422, 'truncated_audio'],
      [['too-short-1s.wav'], 422, 'clip_too_short'],
      // Of several files none of which makes a voice: the first one's refusal.
      [['bogus-header.wav', 'silence-5s.wav'], 422, 'undecodable_audio'],
    ] as const) {
      const refused = await refusal(sdk.voices.ivc.create({ name: 'Broken', files: files.map(clipPath) }));
      expect(refused, files.join(', ')).toMatchObject({ statusCode: status, detail: { status: code, param: 'files' } });
      expect(refused.detail.message).toContain(`files[0] (${files[0]})`);
    }
    // Nothing was made.
    expect((await sdk.voices.search({ voiceType: 'personal' })).totalCount).toBe(0);
  });

  it('a file that is not audio is 415; no file, no name or labels that are not JSON are 400', async () => {
    const sdk = client(stack.key);
    const text = { data: new Blob(['not audio at all'], { type: 'text/plain' }), filename: 'notes.txt' };
    expect(await refusal(sdk.voices.ivc.create({ name: 'Text', files: [text] }))).toMatchObject({ statusCode: 415, detail: { status: 'unsupported_media_type', param: 'files' } });
    expect(await refusal(sdk.voices.ivc.create({ name: 'None', files: [] }))).toMatchObject({ statusCode: 400, detail: { status: 'missing_file', param: 'files' } });
    expect(await refusal(sdk.voices.ivc.create({ name: 'Labels', files: [text], labels: '{not json' }))).toMatchObject({ statusCode: 400, detail: { status: 'invalid_parameter', param: 'labels' } });
    const noName = new FormData();
    noName.set('files', new Blob([new Uint8Array(64)]), 'clip.wav');
    const response = await fetch(`${stack.edge.url}/elevenlabs/v1/voices/add`, { method: 'POST', headers: { 'xi-api-key': stack.key }, body: noName });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ detail: { status: 'invalid_parameter', param: 'name' } });
  });

  it('search refuses a voice_type, category or page_size it does not know, and a next_page_token it did not give', async () => {
    const sdk = client(stack.key);
    expect(await refusal(sdk.voices.search({ voiceType: 'famous' }))).toMatchObject({ statusCode: 400, detail: { status: 'invalid_parameter', param: 'voice_type' } });
    expect(await refusal(sdk.voices.search({ category: 'robots' }))).toMatchObject({ statusCode: 400, detail: { status: 'invalid_parameter', param: 'category' } });
    expect(await refusal(sdk.voices.search({ pageSize: 101 }))).toMatchObject({ statusCode: 400, detail: { status: 'invalid_parameter', param: 'page_size' } });
    expect(await refusal(sdk.voices.search({ nextPageToken: 'made-up' }))).toMatchObject({ statusCode: 400, detail: { status: 'invalid_cursor', param: 'next_page_token' } });
  });

  it('saving a preview never designed is 404; designing from reference audio is 400', async () => {
    const sdk = client(stack.key);
    expect(await refusal(sdk.textToVoice.create({ voiceName: 'Ghost', voiceDescription: 'Nothing.', generatedVoiceId: 'voice_0123456789abcdef01234567' }))).toMatchObject({
      statusCode: 404,
      detail: { status: 'voice_not_found', param: 'generated_voice_id' },
    });
    expect(await refusal(sdk.textToVoice.design({ voiceDescription: 'Like this one.', referenceAudioBase64: 'AAAA' }))).toMatchObject({
      statusCode: 400,
      detail: { status: 'invalid_parameter', param: 'reference_audio_base64' },
    });
  });

  it('a design model that does not exist is 404 model_not_found', async () => {
    const design = (model_id: string) =>
      stack.edge.fetch('/elevenlabs/v1/text-to-voice/design', { method: 'POST', headers: { 'xi-api-key': stack.key, 'content-type': 'application/json' }, body: JSON.stringify({ voice_description: 'Calm.', model_id }) });
    const unknown = await design('no-such-model');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ detail: { status: 'model_not_found' } });
  });
});
