import { describe, expect, it } from 'vitest';
import { mintToken } from '../../../../test/harness/client-tokens.ts';
import { ElevenLabsSocketClient, isAudio, isError, isFinal } from '../../../../test/harness/elevenlabs-socket.ts';
import { useStack } from '../../../../test/harness/stack.ts';
import { settledBalance } from '../../../../test/harness/edge.ts';

// Refusals on ElevenLabs' speech sockets: as ElevenLabs does, the upgrade is accepted and the
// refusal is one error message ({ message, error: <our code>, code: <close code> }), then the close.
const stack = useStack();

const open = (options: Parameters<typeof ElevenLabsSocketClient.open>[1] = {}) => ElevenLabsSocketClient.open(stack.edge.url, { key: stack.key, ...options });

/** The socket's error and its close: the error is the only message, and the close code is the one it named. */
async function refusal(client: ElevenLabsSocketClient) {
  const closed = await client.waitForClose();
  expect(client.received).toHaveLength(1);
  const [error] = client.received;
  expect(error).toMatchObject({ error: expect.any(String), message: expect.any(String), code: closed.code });
  return error!;
}

describe('ElevenLabs sockets: the key', () => {
  it('a wrong xi-api-key: invalid_api_key, then the close (1008), before anything is said', async () => {
    const client = await open({ key: 'tts_wrong-key-wrong-key-wrong-key' });
    expect(await refusal(client)).toMatchObject({ error: 'invalid_api_key', code: 1008 });
  });

  it('a wrong or missing key in the first message: invalid_api_key or missing_api_key, then the close', async () => {
    const wrong = await open({ key: null });
    wrong.send({ text: ' ', xi_api_key: 'tts_wrong-key-wrong-key-wrong-key' });
    expect(await refusal(wrong)).toMatchObject({ error: 'invalid_api_key', code: 1008 });
    const missing = await open({ key: null, kind: 'multi-stream-input' });
    missing.send({ text: ' ', context_id: 'a' });
    expect(await refusal(missing)).toMatchObject({ error: 'missing_api_key', code: 1008 });
  });

  it('a plain GET (no upgrade) is 426 in the dialect\'s HTTP error shape', async () => {
    const response = await stack.edge.fetch('/elevenlabs/v1/text-to-speech/en-female/stream-input', { headers: { 'xi-api-key': stack.key } });
    expect(response.status).toBe(426);
    expect(await response.json()).toMatchObject({ detail: { status: 'upgrade_required' } });
  });
});

describe('ElevenLabs sockets: what is asked', () => {
  it('an output_format a socket cannot stream (Ogg Opus) or none at all: unsupported_output_format, naming those it can', async () => {
    const opus = await open({ query: { output_format: 'opus_48000_64' } });
    const error = await refusal(opus);
    expect(error).toMatchObject({ error: 'unsupported_output_format', param: 'output_format', code: 1008 });
    expect(error.message).toContain('pcm_16000');
    expect(error.message).toContain('mp3_44100_128');
    expect(error.message).not.toContain('opus_48000_64');
    const unknown = await open({ query: { output_format: 'mp3_1_2' } });
    expect(await refusal(unknown)).toMatchObject({ error: 'unsupported_output_format' });
  });

  it('an inactivity_timeout out of 1-180 s is refused; an unknown voice or model when the first message comes', async () => {
    expect(await refusal(await open({ query: { inactivity_timeout: '500' } }))).toMatchObject({ error: 'invalid_parameter', param: 'inactivity_timeout' });
    expect(await refusal(await open({ query: { model_id: '' } }))).toMatchObject({ error: 'invalid_parameter', param: 'model_id' });
    const voice = await open({ voice: 'nobody-at-all' });
    voice.send({ text: ' ' });
    expect(await refusal(voice)).toMatchObject({ error: 'voice_not_found', code: 1008 });
    const model = await open({ query: { model_id: 'no_such_model' } });
    model.send({ text: ' ' });
    expect(await refusal(model)).toMatchObject({ error: 'model_not_found' });
  });

  it('a message that is not JSON: invalid_message, then the close', async () => {
    const client = await open();
    client.send({ text: ' ' });
    (client as unknown as { socket: { send(data: string): void } }).socket.send('not json');
    const closed = await client.waitForClose();
    expect(client.received.find(isError)).toMatchObject({ error: 'invalid_message', code: 1008 });
    expect(closed.code).toBe(1008);
  });

  it('inactivity_timeout: a socket with nothing said and nothing to speak gets idle_timeout, then the close', async () => {
    const silent = await open({ query: { inactivity_timeout: '1' } });
    expect(await refusal(silent)).toMatchObject({ error: 'idle_timeout', code: 1008 });
    const spoke = await open({ query: { inactivity_timeout: '1', output_format: 'pcm_16000' } });
    spoke.send({ text: ' ' });
    spoke.send({ text: 'Said, then nothing more. ', flush: true });
    const closed = await spoke.waitForClose();
    // What was said is spoken first: the timer runs only while nothing is left to speak.
    expect(spoke.audio().byteLength).toBeGreaterThan(0);
    expect(spoke.received.at(-1)).toMatchObject({ error: 'idle_timeout', code: 1008 });
    expect(closed.code).toBe(1008);
  });
});

describe('ElevenLabs sockets: credits, per chunk as on our socket', () => {
  it('stream-input: a chunk refused for credits is insufficient_credits, then the close; nothing is charged for it', async () => {
    const { key } = await stack.edge.createKey({ credits: 20, scopes: ['speech', 'usage'] });
    const client = await open({ key });
    client.send({ text: ' ' });
    client.send({ text: 'This sentence is longer than the twenty credits the account has left. ' });
    const closed = await client.waitForClose();
    expect(client.received.find(isError)).toMatchObject({ error: 'insufficient_credits', code: 1008 });
    expect(closed.code).toBe(1008);
    expect(await settledBalance(stack.edge, key)).toBe(20);
  });

  it("a client token's max_characters cap: the chunks within it are spoken, then token_exhausted and the close", async () => {
    const { key } = await stack.edge.createKey({ credits: 10_000, scopes: ['speech', 'usage', 'tokens'] });
    const token = await mintToken(stack.edge, key, { max_characters: 40 });
    const client = await open({ key: null, query: { single_use_token: token.token, output_format: 'pcm_16000' } });
    // Flushed one by one: chunks of 16 and 19 characters fit the 40; the third does not.
    client.send({ text: ' ' });
    for (const piece of ['Short one here. ', 'Another short one. ', 'And this third piece goes over the cap. ']) client.send({ text: piece, flush: true });
    const closed = await client.waitForClose();
    expect(client.received.find(isError)).toMatchObject({ error: 'token_exhausted', code: 1008 });
    expect(closed.code).toBe(1008);
    // Every word of the two chunks within the cap was spoken (the characters after a stream's last word come with its isFinal, which a refusal ends without), none of the third.
    expect(client.alignedText()).toMatch(/^Short one here\. Another short one/);
    expect(client.alignedText()).not.toContain('third');
    expect(client.received.filter(isAudio()).length).toBeGreaterThan(0);
    expect(await settledBalance(stack.edge, key)).toBe(10_000 - 'Short one here. Another short one. '.length);
  });

  it('multi-stream-input: the refused context gets the error and its isFinal; the others and the socket go on', async () => {
    const { key } = await stack.edge.createKey({ credits: 60, scopes: ['speech', 'usage'] });
    const client = await open({ key, kind: 'multi-stream-input', query: { output_format: 'pcm_16000' } });
    const short = 'A short one. ';
    client.send({ text: ' ', context_id: 'a' });
    client.send({ text: short, context_id: 'a' });
    client.send({ text: 'And this one is far too long for the credits that are left on the account. ', context_id: 'b' });
    const error = await client.waitFor(isError);
    expect(error).toMatchObject({ error: 'insufficient_credits', contextId: 'b' });
    expect(error.code).toBeUndefined(); // the socket stays open
    await client.waitFor(isFinal('b'));
    client.send({ text: 'Fine. ', context_id: 'a' });
    client.send({ close_socket: true });
    await client.waitFor(isFinal('a'));
    expect((await client.waitForClose()).code).toBe(1000);
    expect(client.alignedText('a')).toBe(`${short}Fine. `);
    expect(client.audio('b').byteLength).toBe(0);
    expect(await settledBalance(stack.edge, key)).toBe(60 - short.length - 'Fine. '.length);
  });
});
