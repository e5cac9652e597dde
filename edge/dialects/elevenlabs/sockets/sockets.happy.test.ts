import { describe, expect, it } from 'vitest';
import { decodeAudio, probeAudio } from '../../../../test/decode-audio.ts';
import { ElevenLabsSocketClient, isAudio, isFinal, tokens } from '../../../../test/harness/elevenlabs-socket.ts';
import { useStack } from '../../../../test/harness/stack.ts';
import { settledBalance } from '../../../../test/harness/edge.ts';
import { flushLedger } from '../../../../test/harness/ledger.ts';

// ElevenLabs' speech sockets, spoken to by a raw WebSocket client in ElevenLabs' documented
// messages, through the edge in workerd to a real espeak worker.
const stack = useStack();
const CREDITS = 100_000;

const open = (options: Parameters<typeof ElevenLabsSocketClient.open>[1] = {}) => ElevenLabsSocketClient.open(stack.edge.url, { key: stack.key, ...options });
const pcmMs = (bytes: Uint8Array, rate: number) => (bytes.byteLength / 2 / rate) * 1000;

/** The ledger rows of an account once its chunks have settled (nothing reserved), in the order they were spoken. */
async function settledLedger(key: string, accountId: string): Promise<Array<{ request_id: string; characters: number; credits_charged: number; status: string }>> {
  await settledBalance(stack.edge, key);
  await flushLedger(stack.edge, accountId); // settled rows may still wait in the account's object
  const db = await stack.edge.mf.getD1Database('DB');
  const { results } = await db.prepare('SELECT request_id, characters, credits_charged, status FROM usage_ledger WHERE account_id = ?1').bind(accountId).all<{ request_id: string; characters: number; credits_charged: number; status: string }>();
  return results.sort((a, b) => Number(a.request_id.split('.').at(-1)) - Number(b.request_id.split('.').at(-1)));
}

describe('ElevenLabs stream-input socket', () => {
  it('text fed a few words at a time gets its first audio before the text ends; text "" ends with isFinal, then the close', async () => {
    const client = await open({ query: { output_format: 'pcm_16000' } });
    client.send({ text: ' ', voice_settings: { stability: 0.5, similarity_boost: 0.8, speed: 1 }, generation_config: { chunk_length_schedule: [120, 160, 250, 290] } });
    const first = 'Hello there, this is the first sentence. ';
    const rest = 'And after it the model keeps on writing for a while longer, word after word, until the answer is done. ';
    for (const token of tokens(first)) client.send({ text: token, try_trigger_generation: false });
    // The rest of the answer is held back until audio comes: no flush, no end, no more text.
    await client.waitFor(isAudio(), 10_000);
    for (const token of tokens(rest)) client.send({ text: token });
    client.send({ text: '' });
    const final = await client.waitFor(isFinal());
    const closed = await client.waitForClose();

    expect(final).toMatchObject({ isFinal: true });
    expect(closed.code).toBe(1000);
    // isFinal is the last message: every audio message came before it.
    expect(client.received.at(-1)).toBe(final);
    for (const message of client.audioMessages()) expect(message.isFinal).toBe(false);
    // Every character sent after the opening " ", in order, once, in the alignments; the same in the normalised ones.
    expect(client.alignedText()).toBe(first + rest);
    expect(client.alignedText(undefined, 'normalizedAlignment')).toBe(first + rest);
    // Each message's times run from the start of its own audio (as ElevenLabs documents): placed
    // after the audio before it, every character starts no earlier than the one before, within the audio.
    const audio = client.audio();
    const audioMs = pcmMs(audio, 16_000);
    let before = 0;
    let lastStart = 0;
    let lastEnd = 0;
    for (const message of client.audioMessages()) {
      const { chars, charStartTimesMs, charDurationsMs, charsDurationsMs } = message.alignment ?? { chars: [], charStartTimesMs: [], charDurationsMs: [] };
      expect(charStartTimesMs.length).toBe(chars.length);
      expect(charsDurationsMs ?? charDurationsMs).toEqual(charDurationsMs);
      for (const [i, start] of charStartTimesMs.entries()) {
        expect(before + start).toBeGreaterThanOrEqual(lastStart - 1); // each time rounded to the ms
        expect(before + start).toBeLessThanOrEqual(audioMs + 1);
        expect(charDurationsMs[i]).toBeGreaterThanOrEqual(0);
        lastStart = before + start;
        lastEnd = lastStart + charDurationsMs[i]!;
      }
      before += pcmMs(Buffer.from(message.audio!, 'base64'), 16_000);
    }
    expect(Math.abs(lastEnd - audioMs)).toBeLessThan(100);
    // pcm_16000: 16-bit samples at 16 kHz, as ffmpeg reads them, speech of the text's length.
    const samples = await decodeAudio(audio, 'pcm', 16_000);
    expect(samples.length).toBe(audio.byteLength / 2);
    expect(samples.length / 16_000).toBeGreaterThan(3);
  });

  it('flush: true speaks what is buffered now, without a sentence end; each chunk is admitted and billed on its own, as on our socket', async () => {
    const { key, account_id: accountId } = await stack.edge.createKey({ credits: CREDITS, scopes: ['speech', 'usage'] });
    const client = await open({ key, query: { output_format: 'pcm_24000' } });
    const flushed = 'this part has no full stop and goes out on the flush ';
    const after = 'and this part comes after it. ';
    client.send({ text: ' ' });
    client.send({ text: flushed, flush: true });
    client.send({ text: after });
    client.send({ text: '' });
    await client.waitFor(isFinal());
    await client.waitForClose();
    expect(client.alignedText()).toBe(flushed + after);

    // Sent back to back, the two would be one chunk; the flush cut them apart, each its own ledger row, charged its characters.
    const rows = await settledLedger(key, accountId);
    expect(rows.map((row) => row.characters)).toEqual([flushed.length, after.length]);
    expect(rows.map((row) => row.credits_charged)).toEqual([flushed.length, after.length]);
    expect(rows.every((row) => row.status === 'completed')).toBe(true);
    // Each chunk is logged as a request is, under the path the socket was opened on.
    const logLine = stack.edge.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'request' && line.request_id === rows[0]!.request_id);
    expect(logLine).toMatchObject({ method: 'WS', path: '/elevenlabs/v1/text-to-speech/en-female/stream-input', status: 200, characters: flushed.length, format: 'pcm' });
    expect(await settledBalance(stack.edge, key)).toBe(CREDITS - (flushed + after).length);
  });

  it('a client that hangs up mid-sentence is charged the audio it was sent, not the text, as on our socket', async () => {
    const { key } = await stack.edge.createKey({ credits: CREDITS, scopes: ['speech', 'usage'] });
    const client = await open({ key, query: { output_format: 'pcm_24000' } });
    const sentence = 'This single long sentence is the whole first chunk, and the client hangs up well before its end, so only the part sent is paid for. ';
    client.send({ text: ' ', generation_config: { chunk_length_schedule: [500] } });
    client.send({ text: sentence, flush: true });
    await client.waitFor(isAudio());
    client.close();
    await client.waitForClose();
    const charged = CREDITS - (await settledBalance(stack.edge, key));
    // docs/billing.md: an early end costs the delivered audio at 55 ms per English character (the
    // server may have sent a little more than the client read before its close arrived).
    expect(charged).toBeLessThan(sentence.length);
    expect(charged).toBeGreaterThanOrEqual(Math.ceil(pcmMs(client.audio(), 24_000) / 55) - 2);
  });

  it('mp3_44100_128: the chunks join into one MP3 stream at 44.1 kHz and 128 kb/s', async () => {
    const client = await open({ query: { output_format: 'mp3_44100_128', model_id: 'eleven_flash_v2_5' } });
    client.send({ text: ' ' });
    client.send({ text: 'The first chunk is one sentence. The second chunk is another one. ' });
    client.send({ text: '' });
    await client.waitFor(isFinal());
    const audio = client.audio();
    expect(await probeAudio(audio)).toMatchObject({ codec: 'mp3', sampleRate: 44_100, bitrate: 128_000 });
    expect((await decodeAudio(audio, 'mp3', 44_100)).length / 44_100).toBeGreaterThan(2);
  });

  it('takes the key in the first message (xi_api_key, or authorization: Bearer) when the upgrade has none', async () => {
    for (const auth of [{ xi_api_key: stack.key }, { authorization: `Bearer ${stack.key}` }]) {
      const client = await open({ key: null, query: { output_format: 'ulaw_8000' } });
      client.send({ text: ' ', ...auth });
      client.send({ text: 'Keyed in the first message. ' });
      client.send({ text: '' });
      await client.waitFor(isFinal());
      // μ-law: a byte a sample at 8 kHz.
      expect(client.audio().byteLength / 8000).toBeGreaterThan(0.5);
      expect((await client.waitForClose()).code).toBe(1000);
    }
  });

  it('opens with a single-use token minted through the dialect (?single_use_token=), once', async () => {
    const minted = await stack.edge.fetch('/elevenlabs/v1/single-use-token/tts_websocket', { method: 'POST', headers: { 'xi-api-key': stack.key } });
    const { token } = (await minted.json()) as { token: string };
    const client = await open({ key: null, query: { single_use_token: token, output_format: 'pcm_16000' } });
    client.send({ text: ' ' });
    client.send({ text: 'Spoken with a token. ' });
    client.send({ text: '' });
    await client.waitFor(isFinal());
    expect(client.alignedText()).toBe('Spoken with a token. ');
    const again = await open({ key: null, query: { single_use_token: token } });
    const refused = await again.waitFor((m) => typeof m.error === 'string');
    expect(refused).toMatchObject({ error: 'token_exhausted', code: 1008 });
  });
});

describe('ElevenLabs multi-stream-input socket', () => {
  // Sentences that end in a word: a full stop after a digit ("number 1.") waits for what follows (it may be "1.5").
  const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'];
  const sentences = (name: string, count: number) => Array.from({ length: count }, (_, i) => `${name} context speaks its ${ORDINALS[i]} sentence. `).join('');

  it('two contexts interleave; close_context ends one with its isFinal while the other goes on; close_socket ends all, then the close', async () => {
    const client = await open({ kind: 'multi-stream-input', query: { output_format: 'pcm_24000' } });
    // a long enough (twelve chunks) that it is still speaking when b's first chunk comes.
    const a = sentences('Alpha', 12);
    const b = sentences('Bravo', 4);
    client.send({ text: ' ', context_id: 'a', voice_settings: { speed: 1 } });
    client.send({ text: ' ', context_id: 'b' });
    client.send({ text: a, context_id: 'a' });
    client.send({ text: b, context_id: 'b' });
    client.send({ context_id: 'a', close_context: true });
    const finalA = await client.waitFor(isFinal('a'));
    // b is still open: it takes more text after a's end, and speaks it.
    expect(client.received.some(isFinal('b'))).toBe(false);
    const more = 'One more for bravo. ';
    client.send({ text: more, context_id: 'b', flush: true });
    client.send({ text: '', context_id: 'b' }); // keeps b alive, adds nothing
    client.send({ close_socket: true });
    const finalB = await client.waitFor(isFinal('b'));
    const closed = await client.waitForClose();
    expect(closed.code).toBe(1000);

    // Both spoke side by side: b's first audio came before a's last.
    const order = client.received.filter(isAudio()).map((m) => m.contextId);
    expect(order.indexOf('b')).toBeGreaterThan(-1);
    expect(order.lastIndexOf('a')).toBeGreaterThan(order.indexOf('b'));
    // Each context's audio and alignment are its own, every character once, in order; none after its isFinal.
    expect(client.alignedText('a')).toBe(a);
    expect(client.alignedText('b')).toBe(b + more);
    expect(client.received.slice(client.received.indexOf(finalA)).filter(isAudio('a'))).toEqual([]);
    expect(client.received.indexOf(finalB)).toBe(client.received.length - 1);
    for (const message of client.audioMessages()) expect(message.context_id).toBe(message.contextId);
    expect(pcmMs(client.audio('a'), 24_000)).toBeGreaterThan(3000);
  });

  it('text "" keeps the socket alive between turns without opening a context', async () => {
    const client = await open({ kind: 'multi-stream-input', query: { inactivity_timeout: '1' } });
    // Two and a half times the inactivity timeout, a keep-alive every 300 ms.
    for (let i = 0; i < 8; i++) {
      client.send({ text: '' });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(client.closed).toBeNull();
    client.send({ close_socket: true });
    // No context was opened: nothing to finish, so the close comes at once, with no message before it.
    expect((await client.waitForClose()).code).toBe(1000);
    expect(client.received).toEqual([]);
  });

  it('close_socket waits for every context to finish speaking before it closes', async () => {
    const client = await open({ kind: 'multi-stream-input', query: { output_format: 'pcm_16000' } });
    client.send({ text: ' ', context_id: 'x' });
    client.send({ text: 'First context, said whole. ', context_id: 'x' });
    client.send({ text: 'Second context, said whole too. ', context_id: 'y' });
    client.send({ close_socket: true });
    await client.waitForClose();
    expect(client.received.filter((m) => m.isFinal === true).map((m) => m.contextId).sort()).toEqual(['x', 'y']);
    expect(client.alignedText('x')).toBe('First context, said whole. ');
    expect(client.alignedText('y')).toBe('Second context, said whole too. ');
  });
});
