import { describe, expect, it } from 'vitest';
import { decodeWav, looksLikeSpeech, readTimed } from '../../test/audio-checks.ts';
import { readSseEvents } from '../../test/sse-events.ts';
import { useStack } from '../../test/harness/stack.ts';
import { s16leToFloat } from '../../shared/audio/pcm.ts';
import { UNKNOWN_LENGTH, WAV_HEADER_BYTES } from '../../shared/audio/wav.ts';
import { LANGUAGE_CODES } from '../../shared/languages.ts';

const stack = useStack();

const speech = (body: Record<string, unknown>) =>
  stack.edge.fetch('/v1/audio/speech', { method: 'POST', key: stack.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// One sentence a language, in its own script.
const SAMPLES: Record<string, string> = {
  en: 'The quick brown fox jumps over the lazy dog.',
  zh: '今天天气很好，我们去公园散步吧。',
  ja: 'こんにちは、今日はいい天気ですね。',
  ko: '안녕하세요, 오늘 날씨가 정말 좋네요.',
  de: 'Der schnelle braune Fuchs springt über den faulen Hund.',
  fr: 'Le renard brun rapide saute par-dessus le chien paresseux.',
  ru: 'Быстрая коричневая лиса прыгает через ленивую собаку.',
  pt: 'A rápida raposa marrom salta sobre o cão preguiçoso.',
  es: 'El rápido zorro marrón salta sobre el perro perezoso.',
  it: 'La veloce volpe marrone salta sopra il cane pigro.',
  ar: 'الثعلب البني السريع يقفز فوق الكلب الكسول.',
};

/**
 * When (epoch ms) the worker had written the whole stream of the request the response answers:
 * it logs "synthesized" right after its last write. Audio that reached the client before then was
 * streamed, not held back; a comparison of the order of two events, whatever the machine's load.
 */
async function workerFinishedAt(response: Response): Promise<number> {
  return Date.parse(String((await stack.worker.logLine('synthesized', response.headers.get('x-request-id'))).time));
}

/** performance.now() as epoch ms, to compare with a log line's time. */
const epochMs = (now: number) => performance.timeOrigin + now;

describe('POST /v1/audio/speech', () => {
  it('streams a WAV whose header describes its body: 24 kHz mono s16le, the same samples as pcm', async () => {
    const body = { model: 'espeak', voice: 'en-female', input: 'Hello from the edge. This is a test.' };
    const wavResponse = await speech({ ...body, response_format: 'wav' });
    expect(wavResponse.status).toBe(200);
    expect(wavResponse.headers.get('content-type')).toBe('audio/wav');
    expect(wavResponse.headers.get('x-request-id')).toMatch(/^req_/);
    const wav = new Uint8Array(await wavResponse.arrayBuffer());
    const { header, samples, dataBytes } = decodeWav(wav);
    expect(header).toMatchObject({ audioFormat: 1, channels: 1, sampleRate: 24_000, bitsPerSample: 16, byteRate: 48_000, blockAlign: 2 });
    expect(header.dataOffset).toBe(WAV_HEADER_BYTES);
    // A stream's length is unknown when its header leaves: the header says so, and the body is whole samples.
    expect(header.dataBytes).toBe(UNKNOWN_LENGTH);
    expect(dataBytes % header.blockAlign).toBe(0);
    expect(looksLikeSpeech(samples, 24_000).ok).toBe(true);

    // The same request as pcm is the same audio without the header: espeak repeats itself exactly.
    const pcmResponse = await speech({ ...body, response_format: 'pcm' });
    expect(pcmResponse.headers.get('content-type')).toBe('audio/pcm');
    const pcmBytes = new Uint8Array(await pcmResponse.arrayBuffer());
    expect(Buffer.from(pcmBytes).equals(Buffer.from(wav.subarray(header.dataOffset)))).toBe(true);
    expect(looksLikeSpeech(s16leToFloat(pcmBytes), 24_000).ok).toBe(true);
  });

  it.each(LANGUAGE_CODES)('speaks %s', async (language) => {
    const response = await speech({ input: SAMPLES[language], voice: `${language}-male`, language, response_format: 'pcm' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tts-language')).toBe(language);
    const samples = s16leToFloat(new Uint8Array(await response.arrayBuffer()));
    const check = looksLikeSpeech(samples, 24_000);
    expect(check, JSON.stringify(check)).toMatchObject({ ok: true });
  });

  it('streams: the first audio of a five-sentence input arrives well before the last', async () => {
    const sentence = (n: number) =>
      `This is sentence number ${n}, and it is long enough that speaking it takes several seconds of audio, which the worker synthesizes one sentence at a time.`;
    const input = [1, 2, 3, 4, 5].map(sentence).join(' ');
    const started = performance.now();
    const response = await speech({ input, response_format: 'pcm' });
    const { arrivals, bytes } = await readTimed(response, started);
    expect(arrivals.length).toBeGreaterThan(10);
    // The first sentence reached the client before the worker had made the other four.
    expect(epochMs(started + arrivals[0]!.at)).toBeLessThan(await workerFinishedAt(response));
    expect(bytes.byteLength / 48_000).toBeGreaterThan(20); // seconds of audio
  });

  it('honours speed: twice as fast is about half as long', async () => {
    const input = 'Speaking rate changes how long this sentence takes to say.';
    const lengthAt = async (speed: number) => (await (await speech({ input, speed, response_format: 'pcm' })).arrayBuffer()).byteLength;
    const [normal, fast] = await Promise.all([lengthAt(1), lengthAt(2)]);
    expect(fast / normal).toBeGreaterThan(0.35);
    expect(fast / normal).toBeLessThan(0.7);
  });

  it('defaults as OpenAI does: the model default voice, the language of the text, MP3', async () => {
    const response = await speech({ input: 'Good morning, this is the default voice.' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tts-voice')).toBe('en-female');
    expect(response.headers.get('x-tts-language')).toBe('en');
    expect(response.headers.get('x-tts-detected-languages')).toBe('en');
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const bytes = new Uint8Array(await response.arrayBuffer());
    // An MPEG audio frame sync: 11 set bits.
    expect(bytes[0]).toBe(0xff);
    expect(bytes[1]! & 0xe0).toBe(0xe0);
  });

  it('says the time spent in admission, in the worker queue and to first audio in Server-Timing', async () => {
    const response = await speech({ input: 'Timed.', response_format: 'pcm' });
    const timing = response.headers.get('server-timing') ?? '';
    for (const name of ['admission', 'queue', 'first_audio']) expect(timing).toMatch(new RegExp(`${name};dur=[0-9.]+`));
    await response.arrayBuffer();
    // A refusal says how long the edge took to refuse.
    const refused = await stack.edge.fetch('/v1/audio/speech', { method: 'POST', key: 'sk_wrong', headers: { 'content-type': 'application/json' }, body: '{"input":"Hi."}' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('server-timing')).toMatch(/admission;dur=[0-9.]+/);
  });
});

describe('GET /v1/models and /v1/voices', () => {
  it('lists the espeak model with all eleven languages', async () => {
    const response = await stack.edge.fetch('/v1/models', { key: stack.key });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Array<{ id: string; object: string; languages: string[] }> };
    const espeak = data.find((model) => model.id === 'espeak');
    expect(espeak).toMatchObject({ object: 'model' });
    expect(espeak!.languages.sort()).toEqual([...LANGUAGE_CODES].sort());
  });

  it('lists a male and a female voice for every language', async () => {
    const response = await stack.edge.fetch('/v1/voices', { key: stack.key });
    const { data } = (await response.json()) as { data: Array<{ id: string; gender: string; language: string; model: string }> };
    for (const language of LANGUAGE_CODES) {
      const genders = new Set(data.filter((voice) => voice.language === language).map((voice) => voice.gender));
      expect([language, [...genders].sort()]).toEqual([language, ['female', 'male']]);
    }
    const french = (await (await stack.edge.fetch('/v1/voices?language=fr', { key: stack.key })).json()) as { data: Array<{ language: string }> };
    expect(french.data.length).toBeGreaterThan(0);
    expect(french.data.every((voice) => voice.language === 'fr')).toBe(true);
  });
});

describe('client disconnects', () => {
  it('a client that goes away stops the synthesis on the worker', async () => {
    const input = Array.from({ length: 50 }, (_, i) => `Sentence ${i} keeps this stream going for a long time.`).join(' ');
    const abort = new AbortController();
    const response = await stack.edge.fetch('/v1/audio/speech', {
      method: 'POST',
      key: stack.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input, response_format: 'pcm' }),
      signal: abort.signal,
    });
    const requestId = response.headers.get('x-request-id');
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await expect.poll(() => stack.worker.logs.find((entry) => entry.request_id === requestId), { timeout: 10_000 }).toMatchObject({
      message: 'synthesis cancelled',
    });
  });
});

describe('stream_format "sse"', () => {
  it('sends speech.audio.delta events as audio is made, then speech.audio.done with usage', async () => {
    const input = [1, 2, 3, 4, 5].map((n) => `Sentence ${n} of this event stream is long enough to take a while to synthesize and say.`).join(' ');
    const started = performance.now();
    const response = await speech({ input, response_format: 'pcm', stream_format: 'sse' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-tts-format')).toBe('pcm');
    const events = await readSseEvents(response, started);
    const deltas = events.filter((e) => e.data.type === 'speech.audio.delta');
    const done = events.at(-1)!;
    expect(done.data).toMatchObject({ type: 'speech.audio.done', usage: { input_tokens: [...input].length } });
    expect(events.filter((e) => e.data.type === 'speech.audio.done')).toHaveLength(1);
    expect(deltas.length).toBeGreaterThan(10);
    // Events stream as the audio is made; workerd does not hold them back.
    expect(epochMs(started + deltas[0]!.at)).toBeLessThan(await workerFinishedAt(response));
    const audio = Buffer.concat(deltas.map((e) => Buffer.from(e.data.audio as string, 'base64')));
    expect((done.data.usage as { output_tokens: number }).output_tokens).toBe(audio.byteLength);
    expect(looksLikeSpeech(s16leToFloat(new Uint8Array(audio)), 24_000).ok).toBe(true);
  });
});
