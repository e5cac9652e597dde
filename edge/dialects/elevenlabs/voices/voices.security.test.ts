import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedAudio, NO_SHARED_AUDIO, SHARED_AUDIO } from '../../../../test/clips.ts';
import { mintToken } from '../../../../test/harness/client-tokens.ts';
import { useStack } from '../../../../test/harness/stack.ts';

// Who may do what to voices through the dialect: the same scopes and accounts as on our API.
const stack = useStack();

const client = (apiKey: string) => new ElevenLabsClient({ apiKey, baseUrl: `${stack.edge.url}/elevenlabs`, maxRetries: 0 });
const clipPath = (name: string) => ({ path: join(SHARED_AUDIO, name) });

async function refused(call: Promise<unknown>): Promise<{ statusCode: number; status: string }> {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ElevenLabsError);
  const { statusCode, body } = error as ElevenLabsError;
  return { statusCode: statusCode!, status: (body as { detail: { status: string } }).detail.status };
}

describe('ElevenLabs voices: scopes and accounts', () => {
  it.skipIf(!hasSharedAudio)(`a key without the voices scope reads voices but makes, designs and deletes none: 403 missing_scope ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async () => {
    const { key: owner, account_id } = await stack.edge.createKey();
    const { voiceId } = await client(owner).voices.ivc.create({ name: 'Owned', files: [clipPath('ref-en-3s.wav')] });
    const { key } = await stack.edge.createKey({ account: account_id, scopes: ['speech'] });
    const sdk = client(key);
    expect((await sdk.voices.get(voiceId)).voiceId).toBe(voiceId);

    const forbidden = { statusCode: 403, status: 'missing_scope' };
    expect(await refused(sdk.voices.ivc.create({ name: 'No', files: [clipPath('ref-en-10s.flac')] }))).toEqual(forbidden);
    expect(await refused(sdk.voices.delete(voiceId))).toEqual(forbidden);
    expect(await refused(sdk.textToVoice.design({ voiceDescription: 'Calm.' }))).toEqual(forbidden);
    expect(await refused(sdk.textToVoice.create({ voiceName: 'No', voiceDescription: 'No.', generatedVoiceId: voiceId }))).toEqual(forbidden);
    expect((await sdk.voices.search({ voiceType: 'personal' })).voices.map((v) => v.voiceId)).toEqual([voiceId]);
  });

  it.skipIf(!hasSharedAudio)(`a client token reads voices and changes none: 403 token_scope ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async () => {
    const { key } = await stack.edge.createKey();
    const { voiceId } = await client(key).voices.ivc.create({ name: 'Kept', files: [clipPath('ref-en-10s.ogg')] });
    const { token } = await mintToken(stack.edge, key, { scopes: ['voices:read'] });
    const sdk = client(token);
    expect((await sdk.voices.get(voiceId)).name).toBe('Kept');
    const forbidden = { statusCode: 403, status: 'token_scope' };
    expect(await refused(sdk.voices.delete(voiceId))).toEqual(forbidden);
    expect(await refused(sdk.voices.ivc.create({ name: 'No', files: [clipPath('ref-en-10s.flac')] }))).toEqual(forbidden);
    expect(await refused(sdk.textToVoice.design({ voiceDescription: 'Calm.' }))).toEqual(forbidden);
    expect(await refused(sdk.user.subscription.get())).toEqual(forbidden);
    expect(await refused(sdk.tokens.singleUse.create('tts_websocket'))).toEqual(forbidden);
    expect((await client(key).voices.get(voiceId)).voiceId).toBe(voiceId);
  });

  it.skipIf(!hasSharedAudio)(`another account's voice and preview are 404, as if they did not exist ${hasSharedAudio ? '' : NO_SHARED_AUDIO}`, async () => {
    const { key: owner } = await stack.edge.createKey();
    const { key: other } = await stack.edge.createKey();
    const { voiceId } = await client(owner).voices.ivc.create({ name: 'Mine', files: [clipPath('ref-en-10s-44k-stereo.wav')] });
    // espeak designs (approximately): the best model that designs in this stack.
    const design = await client(owner).textToVoice.design({ voiceDescription: 'A slow, deep voice.' });
    const { generatedVoiceId } = design.previews[0]!;

    const notFound = { statusCode: 404, status: 'voice_not_found' };
    expect(await refused(client(other).voices.get(voiceId))).toEqual(notFound);
    expect(await refused(client(other).voices.delete(voiceId))).toEqual(notFound);
    expect(await refused(client(other).textToVoice.create({ voiceName: 'Taken', voiceDescription: 'Taken.', generatedVoiceId }))).toEqual(notFound);
    expect((await client(other).voices.getAll()).voices.map((v) => v.voiceId)).not.toContain(voiceId);
    expect((await client(other).voices.search({ search: 'Mine' })).totalCount).toBe(0);

    // The owner still has both.
    expect((await client(owner).voices.get(voiceId)).name).toBe('Mine');
    expect((await client(owner).textToVoice.create({ voiceName: 'Deep', voiceDescription: 'Slow and deep.', generatedVoiceId })).voiceId).toBe(generatedVoiceId);
  });
});
