import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';
import { cacheApiUrl } from '../edge/cache/cache-status.ts';
import { spokenClip, uploadVoice } from './clips.ts';
import { isType, RealtimeClient } from './harness/realtime-client.ts';
import { useStack } from './harness/stack.ts';
import { readSseEvents } from './sse-events.ts';

/** The audio cache through the whole stack: workerd's Cache API and R2, a real espeak worker. */
const SHARED_PHRASE = 'Welcome to Acme. Press one for sales.';
const stack = useStack({ edgeVars: { AUDIO_CACHE_MODE: 'on', AUDIO_CACHE_SHARED_PHRASES: JSON.stringify([SHARED_PHRASE]) } });

// 200 characters, two sentences.
const TEXT =
  'Thank you for calling the support line of the open speech company. Your call matters to us, and the next free person will answer it in a moment; please stay on the line, or leave a message after the tone.';

const post = (path: string, body: unknown, key = stack.key) =>
  stack.edge.fetch(path, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Every synthesis the worker has ended (its `/metrics`). */
async function workerRequests(): Promise<number> {
  const text = await (await fetch(`${stack.worker.url}/metrics`)).text();
  return [...text.matchAll(/^tts_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

/** The cache's objects of a scope (an account id, or `shared`), once `count` are there: a miss is stored behind its stream. */
async function storedObjects(scope: string, count: number, timeoutMs = 10_000) {
  const bucket = await stack.edge.mf.getR2Bucket('AUDIO_CACHE');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { objects } = await bucket.list({ prefix: `${scope}/` });
    if (objects.length >= count || Date.now() > deadline) return objects;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function speak(body: Record<string, unknown>, key = stack.key) {
  const response = await post('/v1/audio/speech', { model: 'espeak', voice: 'en-female', response_format: 'mp3', input: TEXT, ...body }, key);
  expect(response.status, await response.clone().text()).toBe(200);
  return { cache: response.headers.get('x-tts-cache'), timing: response.headers.get('server-timing') ?? '', bytes: new Uint8Array(await response.arrayBuffer()) };
}

async function account() {
  const { key, account_id: accountId } = await stack.edge.createKey();
  return { key, accountId };
}

describe('audio cache: the same request again is served from the cache, with no worker', () => {
  it('a 200-character mp3 request twice: a miss, then a hit with the same bytes and no call to the worker', async () => {
    const { key, accountId } = await account();
    const first = await speak({}, key);
    expect(first.cache).toBe('miss');
    expect(await storedObjects(accountId, 1)).toHaveLength(1);

    const before = await workerRequests();
    const second = await speak({}, key);
    expect(second.cache).toBe('hit');
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    // Served from this location's hot copy (the Cache API), stored beside R2's when the miss was.
    expect(second.timing).toMatch(/\bcache;dur=[\d.]+;desc="Audio cache: found in this location"/);
    expect(await workerRequests()).toBe(before);
    // Heard again, a small rendering is kept in the isolate's memory: then no copy is read at all.
    await expect.poll(async () => (await speak({}, key)).timing, { timeout: 10_000 }).toContain("Audio cache: found in this isolate's memory");
    const fromMemory = await speak({}, key);
    expect(fromMemory.cache).toBe('hit');
    expect(Buffer.from(fromMemory.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(await workerRequests()).toBe(before);
  });

  it('without this location’s hot copy, a hit is read from R2, and the hot copy is made again from it (and the isolate keeps it)', async () => {
    const { key, accountId } = await account();
    const first = await speak({ input: 'Kept in two places.' }, key);
    const [object] = await storedObjects(accountId, 1);
    const [scope, entryKey] = object!.key.split('/') as [string, string];
    // The Cache API copy is written after R2's: wait for it, then take it away.
    const caches = (await stack.edge.mf.getCaches()).default;
    await expect.poll(async () => (await caches.match(cacheApiUrl({ scope, key: entryKey })))?.status ?? 0, { timeout: 10_000 }).toBe(200);
    expect(await caches.delete(cacheApiUrl({ scope, key: entryKey }))).toBe(true);

    const fromR2 = await speak({ input: 'Kept in two places.' }, key);
    expect(fromR2.cache).toBe('hit');
    expect(fromR2.timing).toContain('Audio cache: found in R2');
    expect(Buffer.from(fromR2.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    await expect.poll(async () => (await caches.match(cacheApiUrl({ scope, key: entryKey })))?.status ?? 0, { timeout: 10_000 }).toBe(200);
    await expect.poll(async () => (await speak({ input: 'Kept in two places.' }, key)).timing, { timeout: 10_000 }).toContain("Audio cache: found in this isolate's memory");
  });

  it('hits are counted in the index, the first at once and the rest at most once a minute: not a D1 write each', async () => {
    const { key, accountId } = await account();
    expect((await speak({ input: 'Counted, not written every time.' }, key)).cache).toBe('miss');
    const db = await stack.edge.mf.getD1Database('DB');
    const row = () => db.prepare('SELECT hits, last_hit_at > created_at AS heard FROM audio_cache_entries WHERE account_id = ?1').bind(accountId).first<{ hits: number; heard: number }>();
    // The index row is the last thing a miss stores.
    await expect.poll(row, { timeout: 10_000 }).toEqual({ hits: 0, heard: 0 });
    for (let i = 0; i < 5; i++) expect((await speak({ input: 'Counted, not written every time.' }, key)).cache).toBe('hit');
    await expect.poll(row, { timeout: 10_000 }).toEqual({ hits: 1, heard: 1 });
  });

  it('another account’s identical request is a miss: one account’s audio is never served to another', async () => {
    const a = await account();
    const b = await account();
    expect((await speak({ input: 'Only mine.' }, a.key)).cache).toBe('miss');
    await storedObjects(a.accountId, 1);
    expect((await speak({ input: 'Only mine.' }, a.key)).cache).toBe('hit');
    expect((await speak({ input: 'Only mine.' }, b.key)).cache).toBe('miss');
  });

  it('a phrase the operator shares is rendered once for every account, with a preset voice and no dictionary', async () => {
    const a = await account();
    const b = await account();
    expect((await speak({ input: SHARED_PHRASE }, a.key)).cache).toBe('miss');
    expect(await storedObjects('shared', 1)).toHaveLength(1);
    expect(await storedObjects(a.accountId, 0)).toHaveLength(0);
    const before = await workerRequests();
    expect((await speak({ input: SHARED_PHRASE }, b.key)).cache).toBe('hit');
    expect(await workerRequests()).toBe(before);
    // With a dictionary of the account's, the words are the account's own: its scope, not shared.
    const created = await post('/v1/pronunciation-dictionaries', { name: 'acme', rules: [{ type: 'alias', string_to_replace: 'Acme', alias: 'Ack me' }] }, b.key);
    const { id } = (await created.json()) as { id: string };
    expect((await speak({ input: SHARED_PHRASE, pronunciation_dictionaries: [{ id }] }, b.key)).cache).toBe('miss');
    expect(await storedObjects(b.accountId, 1)).toHaveLength(1);
  });

  it('anything that shapes the audio is in the key: format, speed, voice and text each make a miss', async () => {
    const { key, accountId } = await account();
    const base = { input: 'Shaped by everything.', response_format: 'wav' };
    expect((await speak(base, key)).cache).toBe('miss');
    await storedObjects(accountId, 1);
    expect((await speak(base, key)).cache).toBe('hit');
    expect((await speak({ ...base, response_format: 'pcm' }, key)).cache).toBe('miss');
    expect((await speak({ ...base, speed: 1.25 }, key)).cache).toBe('miss');
    expect((await speak({ ...base, voice: 'en-male' }, key)).cache).toBe('miss');
    expect((await speak({ ...base, input: 'Shaped by everything!' }, key)).cache).toBe('miss');
  });

  it('cache: "off" neither reads nor stores', async () => {
    const { key, accountId } = await account();
    expect((await speak({ input: 'Not kept.', cache: 'off' }, key)).cache).toBe('off');
    expect((await speak({ input: 'Not kept.', cache: 'off' }, key)).cache).toBe('off');
    expect((await speak({ input: 'Kept.' }, key)).cache).toBe('miss');
    // The one object stored is the request that allowed it.
    const objects = await storedObjects(accountId, 1);
    expect(objects).toHaveLength(1);
    expect((await speak({ input: 'Not kept.' }, key)).cache).toBe('miss');
  });
});

describe('audio cache: words are kept beside the audio, so timed answers hit too', () => {
  it('SSE, with-timestamps and plain audio are served from one timed rendering, words and audio as rendered', async () => {
    const { key, accountId } = await account();
    const body = { model: 'espeak', voice: 'en-male', response_format: 'pcm', input: 'Words kept beside the audio.', stream_format: 'sse' };
    const sse = async () => {
      const response = await post('/v1/audio/speech', body, key);
      expect(response.status).toBe(200);
      const events = await readSseEvents(response, performance.now());
      const audio = Buffer.concat(events.filter((e) => e.data.type === 'speech.audio.delta').map((e) => Buffer.from(e.data.audio as string, 'base64')));
      const words = events.filter((e) => e.data.type === 'speech.audio.timestamps').flatMap((e) => e.data.words as WordTimestamp[]);
      return { cache: response.headers.get('x-tts-cache'), audio, words };
    };
    const miss = await sse();
    expect(miss.cache).toBe('miss');
    expect(miss.words.map((w) => w.word)).toEqual(['Words', 'kept', 'beside', 'the', 'audio']);
    await storedObjects(accountId, 1);

    const before = await workerRequests();
    const hit = await sse();
    expect(hit.cache).toBe('hit');
    expect(hit.words).toEqual(miss.words);
    expect(hit.audio.equals(miss.audio)).toBe(true);

    const timed = await post('/v1/audio/speech/with-timestamps', { ...body, stream_format: undefined }, key);
    expect(timed.headers.get('x-tts-cache')).toBe('hit');
    const answer = (await timed.json()) as { audio_base64: string; alignment: { words: WordTimestamp[] } };
    expect(answer.alignment.words).toEqual(miss.words);
    expect(Buffer.from(answer.audio_base64, 'base64').equals(miss.audio)).toBe(true);

    const plain = await speak({ ...body, stream_format: undefined }, key);
    expect(plain.cache).toBe('hit');
    expect(Buffer.from(plain.bytes).equals(miss.audio)).toBe(true);
    expect(await workerRequests()).toBe(before);
  });

  it('a plain rendering has no words: a timed request for it is a miss, and then everything hits', async () => {
    const { key, accountId } = await account();
    const body = { model: 'espeak', voice: 'en-male', response_format: 'wav', input: 'Plain first, timed after.' };
    expect((await speak(body, key)).cache).toBe('miss');
    await storedObjects(accountId, 1);
    const timed = await post('/v1/audio/speech/with-timestamps', body, key);
    expect(timed.headers.get('x-tts-cache')).toBe('miss');
    await timed.arrayBuffer();
    // The timed rendering replaces the plain one (the same audio, now with its words).
    const bucket = await stack.edge.mf.getR2Bucket('AUDIO_CACHE');
    const deadline = Date.now() + 10_000;
    while ((await bucket.head((await storedObjects(accountId, 1))[0]!.key))?.customMetadata?.timed !== '1' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect((await post('/v1/audio/speech/with-timestamps', body, key)).headers.get('x-tts-cache')).toBe('hit');
    expect((await speak(body, key)).cache).toBe('hit');
  });

  it('a realtime socket’s chunk said again is served from the cache', async () => {
    const { key, accountId } = await account();
    const sayOnce = async () => {
      const client = await RealtimeClient.open(stack.edge.url, { key });
      client.send({ type: 'config', response_format: 'pcm', model: 'espeak', voice: 'en-male' });
      await client.waitFor(isType('ready'));
      client.send({ type: 'text', text: 'Hello, how can I help you today?' });
      client.send({ type: 'close' });
      await client.waitFor(isType('done', 'default'));
      const audio = client.audioOf('default');
      const words = client.received.filter(isType('audio', 'default')).flatMap((m) => m.timestamps);
      client.close();
      return { audio, words };
    };
    const first = await sayOnce();
    await storedObjects(accountId, 1);
    const before = await workerRequests();
    const second = await sayOnce();
    expect(await workerRequests()).toBe(before);
    expect(Buffer.from(second.audio).equals(Buffer.from(first.audio))).toBe(true);
    expect(second.words).toEqual(first.words);
  });
});

describe('audio cache: a deleted voice takes its audio with it', () => {
  it('after DELETE /v1/voices/{id}, a request with the voice is 404 and its cached audio is gone from R2 within a minute', async () => {
    const { key, accountId } = await account();
    const created = await uploadVoice(stack.edge, key, await spokenClip(stack.edge, key, 'This is my own voice, talking long enough for the worker to clone it well.'), { name: 'mine' });
    expect(created.status, await created.clone().text()).toBe(201);
    const voice = ((await created.json()) as { id: string }).id;
    // The clip was itself spoken by the account, so it is cached too.
    const before = (await storedObjects(accountId, 1)).length;
    const mine = { voice, input: 'Said in my own voice.' };
    expect((await speak(mine, key)).cache).toBe('miss');
    expect((await speak({ input: 'A preset keeps its audio.' }, key)).cache).toBe('miss');
    const stored = await storedObjects(accountId, before + 2);
    expect(stored).toHaveLength(before + 2);
    expect((await speak(mine, key)).cache).toBe('hit');

    expect((await stack.edge.fetch(`/v1/voices/${voice}`, { method: 'DELETE', key })).status).toBe(200);
    const refused = await post('/v1/audio/speech', { model: 'espeak', response_format: 'mp3', ...mine }, key);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('voice_not_found');

    // The purge runs behind the delete's answer; the minute's sweep would finish one that failed.
    const bucket = await stack.edge.mf.getR2Bucket('AUDIO_CACHE');
    const deadline = Date.now() + 60_000;
    let left = stored.length;
    while (left !== before + 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = (await bucket.list({ prefix: `${accountId}/` })).objects.length;
    }
    expect(left).toBe(before + 1);
    expect((await speak({ input: 'A preset keeps its audio.' }, key)).cache).toBe('hit');
  });
});
