import { describe, expect, it } from 'vitest';
import { LONG_INPUT } from '../../test/clips.ts';
import { useStack } from '../../test/harness/stack.ts';
import { WAV_HEADER_BYTES } from '../../shared/audio/wav.ts';
import { decodeAudio, probeAudio } from '../../test/decode-audio.ts';

// Admission headers, settlement and the ledger, on real streams from a real gpu-worker.
const stack = useStack();

const speech = (key: string, body: Record<string, unknown>, signal?: AbortSignal) =>
  stack.edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

interface AccountView {
  balance: number;
  active_streams: number;
  streams: Array<{ request_id: string; delivered_audio_ms: number; charge_so_far: number }>;
  usage: { requests: number; characters: number; audio_ms: number; credits_charged: number };
}
const accountView = async (id: string) => (await (await stack.edge.admin('GET', `/admin/accounts/${id}`)).json()) as AccountView;

async function ledgerRow(accountId: string, requestId: string) {
  const db = await stack.edge.mf.getD1Database('DB');
  let row: Record<string, unknown> | null = null;
  await expect
    .poll(
      async () => (row = await db.prepare('SELECT * FROM usage_ledger WHERE account_id = ?1 AND request_id = ?2').bind(accountId, requestId).first()),
      { timeout: 15_000, interval: 50 },
    )
    .toBeTruthy();
  return row! as Record<string, unknown>;
}

describe('a served speech request', () => {
  it('carries the limit headers and the credits left, settles to its characters and writes its ledger row', async () => {
    const limits = { requests_per_minute: 20, characters_per_minute: 1_000, concurrent_streams: 2 };
    const { key, account_id, id: keyId } = await stack.edge.createKey({ credits: 500, limits });
    const input = 'Hello from the billing test.'; // 28 characters
    const response = await speech(key, { input, voice: 'en-female', response_format: 'wav' });
    expect(response.status).toBe(200);
    expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('x-ratelimit') || name.startsWith('x-credits')))).toEqual({
      'x-ratelimit-limit': '20',
      'x-ratelimit-remaining': '19',
      'x-ratelimit-reset': '3',
      'x-ratelimit-limit-requests': '20',
      'x-ratelimit-remaining-requests': '19',
      'x-ratelimit-reset-requests': '3',
      'x-ratelimit-limit-characters': '1000',
      'x-ratelimit-remaining-characters': '972',
      'x-ratelimit-reset-characters': '2',
      'x-ratelimit-limit-streams': '2',
      'x-ratelimit-remaining-streams': '1',
      'x-credits-remaining': '472',
    });
    const bytes = (await response.arrayBuffer()).byteLength;
    const requestId = response.headers.get('x-request-id')!;

    const row = await ledgerRow(account_id, requestId);
    const audioMs = Math.floor((((bytes - WAV_HEADER_BYTES) / 2) * 1000) / 24_000);
    expect(row).toMatchObject({
      key_id: keyId,
      model: 'espeak',
      voice: 'en-female',
      characters: 28,
      audio_ms: audioMs,
      credits_charged: 28,
      status: 'completed',
    });
    expect(row.time_to_first_audio_ms).toEqual(expect.any(Number));
    const view = await accountView(account_id);
    expect(view).toMatchObject({ balance: 472, active_streams: 0, usage: { requests: 1, characters: 28, audio_ms: audioMs, credits_charged: 28 } });
  });

  it('a request refused by the worker or the catalog costs nothing and frees its slot at once', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 100, limits: { concurrent_streams: 1 } });
    const missing = await speech(key, { input: 'Which voice?', voice: 'nobody' });
    expect(missing.status).toBe(404);
    const view = await accountView(account_id);
    expect(view).toMatchObject({ balance: 100, active_streams: 0, usage: { requests: 0 } });
    const served = await speech(key, { input: 'This one works.' });
    expect(served.status).toBe(200);
    await served.arrayBuffer();
  });
});

describe('a client that goes away mid-stream', () => {
  it('is charged for the audio it received, not for the whole text, and its slot is freed', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 10_000, limits: { concurrent_streams: 1 } });
    const characters = [...LONG_INPUT].length;
    const abort = new AbortController();
    const response = await speech(key, { input: LONG_INPUT, response_format: 'pcm' }, abort.signal);
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 2 * 48_000) received += (await reader.read()).value!.byteLength; // two seconds of audio
    const receivedMs = Math.floor(received / 48);
    // The edge reports progress to the account every second: wait until it covers what we read.
    await expect
      .poll(async () => (await accountView(account_id)).streams[0]?.delivered_audio_ms ?? 0, { timeout: 10_000, interval: 50 })
      .toBeGreaterThanOrEqual(receivedMs);
    abort.abort();

    const row = await ledgerRow(account_id, requestId);
    expect(['client_closed', 'lease_expired']).toContain(row.status);
    const audioMs = row.audio_ms as number;
    expect(audioMs).toBeGreaterThanOrEqual(receivedMs);
    expect(row.credits_charged).toBe(Math.ceil(audioMs / 55)); // English: 55 ms of audio per character
    // What it is charged is what the edge handed to the connection: at least what the client read,
    // plus what was in flight in socket buffers when it left (loopback buffers hold a lot), and
    // well short of the whole text.
    expect(row.credits_charged as number).toBeGreaterThanOrEqual(Math.ceil(receivedMs / 55));
    expect(row.credits_charged as number).toBeLessThan(characters / 2);
    const view = await accountView(account_id);
    expect(view).toMatchObject({ active_streams: 0, balance: 10_000 - (row.credits_charged as number) });

    const next = await speech(key, { input: 'The slot is free again.' });
    expect(next.status).toBe(200);
    await next.arrayBuffer();
  });
});

describe('a stream at the bitrate it asked for', () => {
  // mp3 at 192 kb/s: 24,000 bytes a second of audio, three times the 64 kb/s default's.
  const BITRATE = 192_000;
  const BYTES_PER_SECOND = BITRATE / 8;
  const body = (input: string) => ({ input, voice: 'en-female', response_format: 'mp3', sample_rate: 44_100, bitrate: BITRATE });

  /** The request log line's bytes: what the edge handed to the connection, the count the charge is made from. */
  async function loggedBytes(requestId: string): Promise<number> {
    const line = () =>
      stack.edge.logs
        .filter((entry) => entry.startsWith('{'))
        .map((entry) => JSON.parse(entry) as { message?: string; request_id?: string; bytes?: number })
        .find((entry) => entry.message === 'request' && entry.request_id === requestId);
    await expect.poll(line, { timeout: 15_000, interval: 50 }).toBeTruthy();
    return line()!.bytes!;
  }

  it('a whole stream: the ledger counts its bytes as that bitrate’s audio, the length it decodes to', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 1_000 });
    const response = await speech(key, body('The ledger counts these bytes at the bitrate they were asked for.'));
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(await probeAudio(bytes)).toMatchObject({ codec: 'mp3', sampleRate: 44_100, bitrate: BITRATE });
    const row = await ledgerRow(account_id, response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ status: 'completed', audio_ms: Math.floor((bytes.byteLength * 1000) / BYTES_PER_SECOND) });
    // The audio it says is the audio there is (at 64 kb/s the same bytes would say three times as much),
    // give or take the encoder's priming and last frame.
    const decodedMs = ((await decodeAudio(bytes, 'mp3', 44_100)).length / 44_100) * 1000;
    expect(Math.abs((row.audio_ms as number) - decodedMs)).toBeLessThan(((1105 + 1152) / 44_100) * 1000 + 30);
  });

  it('cut short: charged the audio its bytes hold at that bitrate', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 10_000, limits: { concurrent_streams: 1 } });
    const characters = [...LONG_INPUT].length;
    const abort = new AbortController();
    const response = await speech(key, body(LONG_INPUT), abort.signal);
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 2 * BYTES_PER_SECOND) received += (await reader.read()).value!.byteLength; // two seconds of audio
    const receivedMs = Math.floor((received * 1000) / BYTES_PER_SECOND);
    await expect
      .poll(async () => (await accountView(account_id)).streams[0]?.delivered_audio_ms ?? 0, { timeout: 10_000, interval: 50 })
      .toBeGreaterThanOrEqual(receivedMs);
    abort.abort();

    const row = await ledgerRow(account_id, requestId);
    const audioMs = row.audio_ms as number;
    const handedMs = Math.floor(((await loggedBytes(requestId)) * 1000) / BYTES_PER_SECOND);
    // Settled by the edge at the end: the bytes it handed over; by the account's object when the
    // lease ran out first: its last report, between what the client read and that.
    if (row.status === 'client_closed') expect(audioMs).toBe(handedMs);
    else expect(row.status).toBe('lease_expired');
    expect(audioMs).toBeGreaterThanOrEqual(receivedMs);
    expect(audioMs).toBeLessThanOrEqual(handedMs);
    expect(row.credits_charged).toBe(Math.ceil(audioMs / 55)); // English: 55 ms of audio per character
    expect(row.credits_charged as number).toBeLessThan(characters / 2);
    expect(await accountView(account_id)).toMatchObject({ active_streams: 0, balance: 10_000 - (row.credits_charged as number) });
  });
});
