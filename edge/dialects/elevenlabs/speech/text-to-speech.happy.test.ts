import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { describe, expect, it } from 'vitest';
import type { ResponseFormat } from '../../../../shared/schemas/speech.ts';
import { looksLikeSpeech } from '../../../../test/audio-checks.ts';
import { expectWellFormedAlignment } from '../../../../test/character-alignment.ts';
import { CODEC_EXTRA_SAMPLES, decodeAudio, probeAudio } from '../../../../test/decode-audio.ts';
import { mintToken } from '../../../../test/harness/client-tokens.ts';
import { useStack } from '../../../../test/harness/stack.ts';
import { type CharacterAlignment, joinAlignments } from './alignment.ts';

// ElevenLabs' text-to-speech over HTTP, through its official SDK pointed at /elevenlabs: the same
// core as POST /v1/audio/speech (espeak here), its request and answers in ElevenLabs' shapes.
const stack = useStack();

const client = (apiKey = stack.key) => new ElevenLabsClient({ apiKey, baseUrl: `${stack.edge.url}/elevenlabs`, maxRetries: 0 });
const bytesOf = async (stream: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(stream).arrayBuffer());

const TEXT = 'Every format carries the same words, and a decoder hears them all.';
const VOICE = 'en-female';

/** How long TEXT plays, s, from the same request as 24 kHz PCM: the length each format must decode to. */
async function referenceSeconds(): Promise<number> {
  const pcm = await bytesOf(await client().textToSpeech.convert(VOICE, { text: TEXT, outputFormat: 'pcm_24000' }));
  return pcm.byteLength / 2 / 24_000;
}

/**
 * When (epoch ms) the worker had written the whole stream of a request: it logs "synthesized"
 * right after its last write. Audio that reached the client before then was streamed.
 */
async function workerFinishedAt(requestId: string | null): Promise<number> {
  const line = () => stack.worker.logs.find((entry) => entry.message === 'synthesized' && entry.request_id === requestId);
  await expect.poll(line, { timeout: 10_000 }).toBeDefined();
  return Date.parse(String(line()!.time));
}
const epochMs = (now: number) => performance.timeOrigin + now;

const LONG = [1, 2, 3, 4, 5].map((n) => `This is sentence number ${n}, and it is long enough that speaking it takes several seconds of audio.`).join(' ');

/** A well-formed alignment of `text` over `audioSeconds` of audio, made from the words' times. */
function expectTimedAlignment(alignment: CharacterAlignment, text: string, audioSeconds: number) {
  expectWellFormedAlignment(alignment, text, audioSeconds);
  const { characters, character_start_times_seconds: starts, character_end_times_seconds: ends } = alignment;
  expect(Math.abs(ends.at(-1)! - audioSeconds)).toBeLessThan(0.1);
  // The words were timed, not the text spread evenly over the audio: not every character starts
  // in proportion to its place.
  const spread = characters.map((_, i) => (audioSeconds * i) / characters.length);
  expect(starts.some((start, i) => Math.abs(start - spread[i]!) > 0.05)).toBe(true);
}

/** The SDK's camelCase alignment, in the wire's names. */
const wire = (alignment: { characters: string[]; characterStartTimesSeconds: number[]; characterEndTimesSeconds: number[] }): CharacterAlignment => ({
  characters: alignment.characters,
  character_start_times_seconds: alignment.characterStartTimesSeconds,
  character_end_times_seconds: alignment.characterEndTimesSeconds,
});

describe('textToSpeech.convert', () => {
  // output_format, what it is here, its media type, and what ffprobe reads of a container.
  const CASES: Array<[string, ResponseFormat, number, string, { codec: string; bitrate?: [number, number] } | null]> = [
    ['mp3_44100_128', 'mp3', 44_100, 'audio/mpeg', { codec: 'mp3', bitrate: [128_000, 128_000] }],
    ['mp3_22050_32', 'mp3', 22_050, 'audio/mpeg', { codec: 'mp3', bitrate: [32_000, 32_000] }],
    ['pcm_16000', 'pcm', 16_000, 'audio/pcm', null],
    ['pcm_32000', 'pcm', 32_000, 'audio/pcm', null],
    ['ulaw_8000', 'mulaw', 8000, 'audio/pcmu', null],
    // Opus aims at an average, plus its Ogg pages (see test/formats.test.ts).
    ['opus_48000_64', 'opus', 48_000, 'audio/ogg', { codec: 'opus', bitrate: [64_000 * 0.8, 64_000 * 1.05 + 10_000] }],
    ['wav_24000', 'wav', 24_000, 'audio/wav', { codec: 'pcm_s16le' }],
  ];

  it.each(CASES)('%s: decodes as %s at %d Hz, the length of the same words as PCM', async (outputFormat, format, rate, contentType, container) => {
    const expectedSeconds = await referenceSeconds();
    const { data, rawResponse } = await client()
      .textToSpeech.convert(VOICE, { text: TEXT, modelId: 'eleven_multilingual_v2', outputFormat: outputFormat as 'mp3_44100_128' })
      .withRawResponse();
    expect(rawResponse.headers.get('content-type')).toBe(contentType);
    expect(rawResponse.headers.get('x-audio-sample-rate')).toBe(String(rate));
    const bytes = await bytesOf(data);
    if (container) {
      const probed = await probeAudio(bytes);
      expect(probed).toMatchObject({ codec: container.codec, sampleRate: rate });
      if (container.bitrate) {
        expect(probed.bitrate).toBeGreaterThanOrEqual(container.bitrate[0]);
        expect(probed.bitrate).toBeLessThanOrEqual(container.bitrate[1]);
      }
    }
    const samples = await decodeAudio(bytes, format, rate);
    expect(Math.abs(samples.length / rate - expectedSeconds)).toBeLessThan(0.04 + (CODEC_EXTRA_SAMPLES[format] ?? 0) / rate);
    expect(looksLikeSpeech(samples, rate).ok).toBe(true);
  });

  it('defaults to mp3_44100_128, as ElevenLabs does; answers its headers beside ours', async () => {
    const { data, rawResponse } = await client().textToSpeech.convert(VOICE, { text: TEXT }).withRawResponse();
    const probed = await probeAudio(await bytesOf(data));
    expect(probed).toMatchObject({ codec: 'mp3', sampleRate: 44_100, bitrate: 128_000 });
    const requestId = rawResponse.headers.get('x-request-id');
    expect(requestId).toMatch(/^req_/);
    expect(rawResponse.headers.get('request-id')).toBe(requestId);
    expect(rawResponse.headers.get('character-cost')).toBe(String([...TEXT].length));
    expect(rawResponse.headers.get('x-tts-voice')).toBe(VOICE);
    expect(rawResponse.headers.get('x-credits-remaining')).toMatch(/^\d+$/);
    expect(rawResponse.headers.get('server-timing')).toMatch(/admission;dur=/);
    // A page on another origin may read them.
    const fromPage = await stack.edge.fetch(`/elevenlabs/v1/text-to-speech/${VOICE}?output_format=pcm_16000`, {
      method: 'POST',
      headers: { origin: 'https://app.example', 'xi-api-key': stack.key, 'content-type': 'application/json' },
      body: JSON.stringify({ text: TEXT }),
    });
    await fromPage.arrayBuffer();
    expect(fromPage.headers.get('access-control-allow-origin')).toBe('*');
    expect(fromPage.headers.get('access-control-expose-headers')!.split(',').map((name) => name.trim())).toEqual(expect.arrayContaining(['request-id', 'character-cost', 'x-request-id']));
  });

  it("takes ElevenLabs' model ids for a served model, a served model's id as it is, and applies voice_settings.speed", async () => {
    const speak = (body: Record<string, unknown>) => client().textToSpeech.convert(VOICE, { text: TEXT, outputFormat: 'pcm_24000', ...body }).withRawResponse();
    for (const modelId of ['eleven_multilingual_v2', 'eleven_flash_v2_5', 'eleven_v3', 'espeak']) {
      const { data, rawResponse } = await speak({ modelId });
      expect(rawResponse.headers.get('x-tts-model'), modelId).toBe('espeak');
      await bytesOf(data);
    }
    const normal = await bytesOf((await speak({})).data);
    const fast = await bytesOf((await speak({ voiceSettings: { speed: 2, stability: 0.3, similarityBoost: 0.8, style: 0.5, useSpeakerBoost: true } })).data);
    expect(fast.byteLength / normal.byteLength).toBeGreaterThan(0.35);
    expect(fast.byteLength / normal.byteLength).toBeLessThan(0.7);
  });

  it("models.list() lists ElevenLabs' model ids beside the served models, each saying what it stands for; one picked from the list speaks", async () => {
    const models = await client().models.list();
    const ids = models.map((model) => model.modelId);
    expect(ids[0]).toBe('espeak');
    for (const id of ['eleven_multilingual_v2', 'eleven_v3', 'eleven_flash_v2_5', 'eleven_turbo_v2_5', 'eleven_flash_v2', 'eleven_turbo_v2', 'eleven_monolingual_v1', 'eleven_multilingual_v1']) {
      const listed = models.find((model) => model.modelId === id);
      expect(listed, id).toMatchObject({ canDoTextToSpeech: true, description: expect.stringMatching(/^Stands for espeak on this server/) });
      expect(listed!.languages!.map((language) => language.languageId)).toContain('en');
    }
    const picked = models.find((model) => model.modelId!.startsWith('eleven_'))!;
    const { data, rawResponse } = await client().textToSpeech.convert(VOICE, { text: TEXT, modelId: picked.modelId!, outputFormat: 'pcm_16000' }).withRawResponse();
    expect(rawResponse.headers.get('x-tts-model')).toBe('espeak');
    expect((await bytesOf(data)).byteLength).toBeGreaterThan(0);
  });

  it('accepts every field its SDK sends: language_code is applied, the rest accepted', async () => {
    const { data, rawResponse } = await client()
      .textToSpeech.convert('de-male', {
        text: 'Guten Morgen, wie geht es dir?',
        outputFormat: 'pcm_16000',
        languageCode: 'de',
        seed: 42,
        previousText: 'Hallo.',
        nextText: 'Gut, danke.',
        previousRequestIds: [],
        nextRequestIds: [],
        applyTextNormalization: 'on',
        applyLanguageTextNormalization: false,
        usePvcAsIvc: false,
        enableLogging: false,
        optimizeStreamingLatency: 3,
      })
      .withRawResponse();
    expect(rawResponse.headers.get('x-tts-language')).toBe('de');
    expect(rawResponse.headers.get('x-tts-detected-languages')).toBeNull();
    expect(looksLikeSpeech(await decodeAudio(await bytesOf(data), 'pcm', 16_000), 16_000).ok).toBe(true);
  });

  it('takes a client token as the apiKey, and charges it', async () => {
    const minted = await mintToken(stack.edge, stack.key, { scopes: ['speech'], max_characters: 1000 });
    const { data, rawResponse } = await client(minted.token).textToSpeech.convert(VOICE, { text: TEXT, outputFormat: 'pcm_16000' }).withRawResponse();
    await bytesOf(data);
    expect(rawResponse.headers.get('x-token-remaining-characters')).toBe(String(1000 - [...TEXT].length));
  });

  it('writes a ledger row and a speech event (Analytics Engine) for the request, as for ours', async () => {
    const { data, rawResponse } = await client().textToSpeech.convert(VOICE, { text: TEXT, outputFormat: 'pcm_16000' }).withRawResponse();
    const audio = await bytesOf(data);
    const requestId = rawResponse.headers.get('request-id');
    const db = await stack.edge.mf.getD1Database('DB');
    const row = () => db.prepare('SELECT model, voice, characters, audio_ms, credits_charged, status FROM usage_ledger WHERE request_id = ?').bind(requestId).first();
    await expect.poll(row, { timeout: 10_000 }).toMatchObject({ model: 'espeak', voice: VOICE, characters: [...TEXT].length, credits_charged: [...TEXT].length, status: 'completed' });
    expect(Math.abs(((await row()) as { audio_ms: number }).audio_ms - (audio.byteLength / 2 / 16_000) * 1000)).toBeLessThan(1);
    // The harness logs each data point (test/harness/edge.ts): blobs are model, format, outcome, request id.
    const event = () => stack.edge.logs.filter((line) => line.startsWith('{"analytics_engine":') && line.includes(requestId!)).map((line) => JSON.parse(line).data_point);
    await expect.poll(() => event().length, { timeout: 10_000 }).toBe(1);
    expect(event()[0]).toMatchObject({ blobs: ['espeak', 'pcm', 'completed', requestId, 'off'], doubles: [200, expect.any(Number), [...TEXT].length, expect.any(Number), audio.byteLength] });
  });
});

describe('textToSpeech.stream', () => {
  it('streams: the first audio arrives before the worker has made the rest', async () => {
    const started = performance.now();
    const { data, rawResponse } = await client().textToSpeech.stream(VOICE, { text: LONG, outputFormat: 'pcm_24000' }).withRawResponse();
    const reader = data.getReader();
    let firstAt: number | undefined;
    let bytes = 0;
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      firstAt ??= performance.now();
      bytes += read.value.byteLength;
    }
    expect(epochMs(firstAt!)).toBeLessThan(await workerFinishedAt(rawResponse.headers.get('request-id')));
    expect(firstAt! - started).toBeLessThan(performance.now() - started);
    expect(bytes / 48_000).toBeGreaterThan(15); // seconds of audio
  });
});

describe('textToSpeech.convertWithTimestamps', () => {
  it('answers the whole audio with every character timed inside it; normalized_alignment is the same', async () => {
    const answer = await client().textToSpeech.convertWithTimestamps(VOICE, { text: TEXT, outputFormat: 'wav_24000', modelId: 'eleven_multilingual_v2' });
    const audio = Buffer.from(answer.audioBase64, 'base64');
    expect((await probeAudio(audio)).sampleRate).toBe(24_000);
    const samples = await decodeAudio(audio, 'wav', 24_000);
    expect(looksLikeSpeech(samples, 24_000).ok).toBe(true);
    expectTimedAlignment(wire(answer.alignment!), TEXT, samples.length / 24_000);
    expect(answer.normalizedAlignment).toEqual(answer.alignment);
  });

  it('times text that ends on a word, or starts with punctuation, and text in another script', async () => {
    for (const [voice, text] of [
      [VOICE, '"Quoted," she said, and then nothing more'],
      ['zh-female', '今天天气很好，我们去公园散步吧。'],
    ] as const) {
      const answer = await client().textToSpeech.convertWithTimestamps(voice, { text, outputFormat: 'pcm_16000' });
      const audio = Buffer.from(answer.audioBase64, 'base64');
      expectTimedAlignment(wire(answer.alignment!), text, audio.byteLength / 2 / 16_000);
    }
  });
});

describe('textToSpeech.streamWithTimestamps', () => {
  it('streams a JSON object a line as the audio is made, each with the characters whose words start in it', async () => {
    const started = performance.now();
    const { data, rawResponse } = await client().textToSpeech.streamWithTimestamps(VOICE, { text: LONG, outputFormat: 'pcm_16000' }).withRawResponse();
    const chunks: Array<{ at: number; audio: Buffer; alignment: CharacterAlignment | null; normalized: CharacterAlignment | null }> = [];
    for await (const chunk of data) {
      const [alignment, normalized] = [chunk.alignment, chunk.normalizedAlignment].map((a) => (a ? wire(a) : null));
      chunks.push({ at: performance.now(), audio: Buffer.from(chunk.audioBase64, 'base64'), alignment: alignment!, normalized: normalized! });
    }
    expect(rawResponse.headers.get('content-type')).toBe('application/x-ndjson');
    expect(chunks.length).toBeGreaterThan(5);
    // Streamed: the first object reached the client before the worker had made the rest.
    expect(epochMs(chunks[0]!.at)).toBeLessThan(await workerFinishedAt(rawResponse.headers.get('request-id')));
    expect(chunks[0]!.at - started).toBeLessThan(chunks.at(-1)!.at - started);

    const audio = Buffer.concat(chunks.map((chunk) => chunk.audio));
    const seconds = audio.byteLength / 2 / 16_000;
    expect(looksLikeSpeech(await decodeAudio(audio, 'pcm', 16_000), 16_000).ok).toBe(true);
    // Each object's characters start no later than the end of its own audio (the words start in it).
    let audioSoFar = 0;
    for (const chunk of chunks) {
      audioSoFar += chunk.audio.byteLength / 2 / 16_000;
      expect(chunk.normalized).toEqual(chunk.alignment);
      for (const start of chunk.alignment?.character_start_times_seconds ?? []) expect(start).toBeLessThanOrEqual(audioSoFar + 0.001);
    }
    const timed = chunks.flatMap((chunk) => (chunk.alignment ? [chunk.alignment] : []));
    expect(timed.length).toBeGreaterThan(3);
    expectTimedAlignment(joinAlignments(timed), LONG, seconds);
  });
});
