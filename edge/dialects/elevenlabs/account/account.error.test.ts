import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { describe, expect, it } from 'vitest';
import { useStack } from '../../../../test/harness/stack.ts';

// ElevenLabs' account calls refused, in its error shape: scopes as on our API (usage for the
// account's figures, tokens for minting), and the token types we do not serve.
const stack = useStack();

const client = (apiKey: string) => new ElevenLabsClient({ apiKey, baseUrl: `${stack.edge.url}/elevenlabs`, maxRetries: 0 });

async function refused(call: Promise<unknown>): Promise<{ statusCode: number; detail: { status: string; param?: string } }> {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ElevenLabsError);
  const { statusCode, body } = error as ElevenLabsError;
  return { statusCode: statusCode!, detail: (body as { detail: { status: string; param?: string } }).detail };
}

describe('ElevenLabs account: refusals', () => {
  it('the user and subscription need the usage scope, as GET /v1/usage does; a wrong key is 401', async () => {
    const { key } = await stack.edge.createKey({ scopes: ['speech', 'voices', 'tokens'] });
    expect(await refused(client(key).user.get())).toMatchObject({ statusCode: 403, detail: { status: 'missing_scope' } });
    expect(await refused(client(key).user.subscription.get())).toMatchObject({ statusCode: 403, detail: { status: 'missing_scope' } });
    expect(await refused(client('tts_wrong-key-wrong-key-wrong').user.subscription.get())).toMatchObject({ statusCode: 401, detail: { status: 'invalid_api_key' } });
  });

  it('a single-use token needs the tokens scope; speech-to-text types are 400', async () => {
    const { key } = await stack.edge.createKey({ scopes: ['speech', 'voices', 'usage'] });
    expect(await refused(client(key).tokens.singleUse.create('tts_websocket'))).toMatchObject({ statusCode: 403, detail: { status: 'missing_scope' } });
    for (const type of ['realtime_scribe', 'batch_scribe'] as const) {
      expect(await refused(client(stack.key).tokens.singleUse.create(type))).toMatchObject({ statusCode: 400, detail: { status: 'invalid_parameter', param: 'token_type' } });
    }
    const unknown = await stack.edge.fetch('/elevenlabs/v1/single-use-token/constructor', { method: 'POST', headers: { 'xi-api-key': stack.key } });
    expect(unknown.status).toBe(400);
  });

  it('a key that cannot speak cannot mint a realtime token: 403 token_scope', async () => {
    const { key } = await stack.edge.createKey({ scopes: ['tokens', 'usage'] });
    expect(await refused(client(key).tokens.singleUse.create('tts_websocket'))).toMatchObject({ statusCode: 403, detail: { status: 'token_scope' } });
  });
});
