import { ElevenLabs, ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { describe, expect, it } from 'vitest';
import { mintToken } from '../../../../test/harness/client-tokens.ts';
import { useStack } from '../../../../test/harness/stack.ts';
import { ELEVENLABS_OUTPUT_FORMATS } from './output-format.ts';

// Refusals of ElevenLabs' text-to-speech, as its official SDK raises them: its own error types,
// our status codes, and the body in ElevenLabs' shape naming ElevenLabs' fields.
const stack = useStack();

const client = (apiKey = stack.key) => new ElevenLabsClient({ apiKey, baseUrl: `${stack.edge.url}/elevenlabs`, maxRetries: 0 });

/** The error a call was refused with; fails the test when it was not refused. */
async function refusal(call: Promise<unknown>): Promise<ElevenLabsError & { body: { detail: { status: string; message: string; param?: string } } }> {
  const outcome = await call.then(
    async (answer) => {
      if (answer instanceof ReadableStream) await answer.cancel();
      return 'answered';
    },
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ElevenLabsError);
  return outcome as never;
}

const balanceOf = async (accountId: string) => ((await (await stack.edge.admin('GET', `/admin/accounts/${accountId}`)).json()) as { balance: number }).balance;

const TEXT = 'Hello there, this is a test.';

describe('text-to-speech refusals, through the SDK', () => {
  it('a wrong key: 401 invalid_api_key', async () => {
    const error = await refusal(client('tts_wrong-key-wrong-key-wrong').textToSpeech.convert('en-female', { text: TEXT }));
    expect(error.statusCode).toBe(401);
    expect(error.body.detail).toMatchObject({ status: 'invalid_api_key', message: expect.any(String) });
  });

  it('an unknown voice: 404 voice_not_found naming voice_id, a preset or an own voice alike', async () => {
    const preset = await refusal(client().textToSpeech.stream('nobody-at-all', { text: TEXT }));
    expect(preset.statusCode).toBe(404);
    expect(preset.body.detail).toMatchObject({ status: 'voice_not_found', param: 'voice_id' });
    const own = await refusal(client().textToSpeech.convertWithTimestamps('voice_0000000000000000000000', { text: TEXT }));
    expect(own.statusCode).toBe(404);
    expect(own.body.detail.status).toBe('voice_not_found');
  });

  it('an unknown output_format: 400 unsupported_output_format listing the valid ones', async () => {
    // The SDK refuses a value it does not list before sending it: sent here as an extra query parameter.
    const error = await refusal(client().textToSpeech.convert('en-female', { text: TEXT }, { queryParams: { output_format: 'flac_44100' } }));
    expect(error.statusCode).toBe(400);
    expect(error.body.detail).toMatchObject({ status: 'unsupported_output_format', param: 'output_format' });
    for (const valid of ELEVENLABS_OUTPUT_FORMATS) expect(error.body.detail.message).toContain(valid);
  });

  it('out of credits: 402 insufficient_credits, and nothing is charged', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 10 });
    const error = await refusal(client(key).textToSpeech.streamWithTimestamps('en-female', { text: TEXT }));
    expect(error.statusCode).toBe(402);
    expect(error.body.detail.status).toBe('insufficient_credits');
    expect(error.rawResponse?.headers.get('x-credits-remaining')).toBe('10');
    expect(await balanceOf(account_id)).toBe(10);
  });

  it('empty or too long text: 400 empty_input, 413 input_too_long, naming text', async () => {
    for (const text of ['', '   ']) {
      const error = await refusal(client().textToSpeech.convert('en-female', { text }));
      expect(error.statusCode).toBe(400);
      expect(error.body.detail).toMatchObject({ status: 'empty_input', param: 'text', message: expect.stringMatching(/^text /) });
    }
    const long = await refusal(client().textToSpeech.convert('en-female', { text: 'a'.repeat(4097) }));
    expect(long.statusCode).toBe(413);
    expect(long.body.detail).toMatchObject({ status: 'input_too_long', param: 'text' });
  });

  it('an unknown model_id: 404 model_not_found; a language the model lacks: 422, which the SDK raises as UnprocessableEntityError', async () => {
    const model = await refusal(client().textToSpeech.convert('en-female', { text: TEXT, modelId: 'eleven_nonexistent_v9' }));
    expect(model.statusCode).toBe(404);
    expect(model.body.detail).toMatchObject({ status: 'model_not_found', param: 'model_id' });
    const language = await refusal(client().textToSpeech.convert('en-female', { text: TEXT, languageCode: 'sw' }));
    expect(language).toBeInstanceOf(ElevenLabs.UnprocessableEntityError);
    expect(language.body.detail).toMatchObject({ status: 'unsupported_language', param: 'language_code' });
  });

  it('a malformed field: 400 invalid_parameter naming it; an audio effect, which is not offered, likewise', async () => {
    const speed = await refusal(client().textToSpeech.convert('en-female', { text: TEXT, voiceSettings: { speed: 10 } }));
    expect(speed.statusCode).toBe(400);
    expect(speed.body.detail).toMatchObject({ status: 'invalid_parameter', param: 'voice_settings.speed' });
    const effect = await refusal(client().textToSpeech.convert('en-female', { text: TEXT, audioEffects: { filterPresetId: 'phone' } }));
    expect(effect.statusCode).toBe(400);
    expect(effect.body.detail).toMatchObject({ status: 'invalid_parameter', param: 'audio_effects.filter_preset_id' });
    // Effects that ask for nothing are accepted.
    const plain = await client().textToSpeech.convert('en-female', { text: TEXT, outputFormat: 'pcm_16000', audioEffects: { distance: 0, pan: 0, sendLevel: 0.5 } });
    expect((await new Response(plain).arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('a body that is no JSON, or has no text: 400', async () => {
    for (const [body, status] of [
      ['{"text": ', 'invalid_json'],
      ['{"model_id": "eleven_v3"}', 'invalid_parameter'],
    ]) {
      const response = await stack.edge.fetch('/elevenlabs/v1/text-to-speech/en-female', { method: 'POST', headers: { 'xi-api-key': stack.key, 'content-type': 'application/json' }, body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ detail: { status } });
    }
  });

  it("a client token's bindings apply: its voices only, and only with the speech scope", async () => {
    const bound = await mintToken(stack.edge, stack.key, { scopes: ['speech'], voices: ['en-male'] });
    const other = await refusal(client(bound.token).textToSpeech.convert('en-female', { text: TEXT }));
    expect(other.statusCode).toBe(403);
    expect(other.body.detail.status).toBe('token_scope');
    const allowed = await client(bound.token).textToSpeech.convert('en-male', { text: TEXT, outputFormat: 'pcm_16000' });
    expect((await new Response(allowed).arrayBuffer()).byteLength).toBeGreaterThan(0);

    const readOnly = await mintToken(stack.edge, stack.key, { scopes: ['voices:read'] });
    const unscoped = await refusal(client(readOnly.token).textToSpeech.stream('en-male', { text: TEXT }));
    expect(unscoped.statusCode).toBe(403);
    expect(unscoped.body.detail.status).toBe('token_scope');
  });
});
