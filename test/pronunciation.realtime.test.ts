import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';
import { isType, RealtimeClient } from './harness/realtime-client.ts';
import { useStack } from './harness/stack.ts';

/** A dictionary named in a realtime socket's config applies to every chunk, a word split across two text messages included. */
const stack = useStack();

async function configured(config: Record<string, unknown> = {}): Promise<{ client: RealtimeClient; ready: Record<string, unknown> }> {
  const client = await RealtimeClient.open(stack.edge.url, { key: stack.key });
  client.send({ type: 'config', model: 'espeak', voice: 'en-male', language: 'en', response_format: 'pcm', chunking: { boundary: 'sentence', max_characters: 250, max_delay_ms: 10_000 }, ...config });
  return { client, ready: (await client.waitFor(isType('ready'))) as unknown as Record<string, unknown> };
}

/** Sends the pieces as an LLM would, closes, and answers the words and the audio's length. */
async function speak(client: RealtimeClient, pieces: string[]): Promise<{ words: WordTimestamp[]; audioMs: number }> {
  for (const text of pieces) client.send({ type: 'text', text });
  client.send({ type: 'close' });
  await client.waitFor(isType('done', 'default'));
  client.close();
  const words = client.received.filter(isType('audio', 'default')).flatMap((message) => message.timestamps);
  return { words, audioMs: (client.audioOf('default').byteLength / 2 / 24_000) * 1000 };
}

describe('pronunciation dictionaries on the realtime socket', () => {
  it('applies to every chunk, across text messages that split the word, with the versions pinned in ready', async () => {
    const created = await stack.edge.fetch('/v1/pronunciation-dictionaries', {
      method: 'POST',
      key: stack.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'socket', rules: [{ type: 'alias', string_to_replace: 'SQL', alias: 'sequel' }] }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const pieces = ['We use SQL here. ', 'And we love S', 'QL', ' there too.'];
    const text = pieces.join('');
    const plain = await speak((await configured()).client, pieces);
    const { client, ready } = await configured({ pronunciation_dictionaries: [{ id }] });
    expect(ready.pronunciation_dictionaries).toEqual([{ id, version: 1 }]);
    const ruled = await speak(client, pieces);

    const sql = (words: WordTimestamp[]) => words.filter((w) => w.word === 'SQL');
    // Both SQLs are one word each, at their places in the context's text, in both takes.
    for (const words of [plain.words, ruled.words]) {
      expect(sql(words).map((w) => w.char_start)).toEqual([text.indexOf('SQL'), text.lastIndexOf('S')]);
      for (const word of words) expect([...text].slice(word.char_start, word.char_end).join('')).toBe(word.word);
    }
    // Each SQL of the ruled take is "sequel": shorter than "ess queue ell" (by a tenth at least), the one split across messages too.
    const spelled = sql(plain.words).map((w) => w.end_ms - w.start_ms);
    const aliased = sql(ruled.words).map((w) => w.end_ms - w.start_ms);
    aliased.forEach((ms, i) => expect(spelled[i]!).toBeGreaterThan(ms * 1.1));
    expect(ruled.audioMs).toBeLessThan(plain.audioMs - 120);
  });

  it('refuses a dictionary the account does not have when the socket is configured', async () => {
    const client = await RealtimeClient.open(stack.edge.url, { key: stack.key });
    client.send({ type: 'config', model: 'espeak', pronunciation_dictionaries: [{ id: 'pd_missing' }] });
    const error = await client.waitFor(isType('error'));
    expect(error).toMatchObject({ code: 'pronunciation_dictionary_not_found' });
    client.close();
  });
});
