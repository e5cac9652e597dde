import { describe, expect, it } from 'vitest';
import type { WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { PlaybackClock } from '../engines/playback-clock.ts';
import type { ApiError } from '../../shared/errors.ts';
import type { Engine, EngineWord, SynthesisRequest } from '../engines/types.ts';
import { planSynthesis, speakSegments } from './plan.ts';

/** An engine at 1,000 Hz that yields two 250-sample chunks per request and notes the deadline it sees before each. */
function recordingEngine(deadlines: number[]): Engine {
  return {
    info: {
      id: 'fake',
      engine: 'espeak',
      description: '',
      languages: ['en', 'de'],
      sample_rate: 1000,
      capabilities: { streaming: true, clone: 'approximate', design: 'approximate', instructions: false, seed: false, deterministic: false, phonemes: false, emphasis: false },
      default_voice: 'v',
      voices: [{ id: 'v', name: 'V', gender: 'female', language: 'en' }],
      version: '',
    },
    wordAlignment: 'exact',
    async *synthesize(request: SynthesisRequest) {
      for (let i = 0; i < 2; i++) {
        deadlines.push(request.playback!.deadline());
        yield { audio: new Float32Array(250) };
      }
    },
    close: async () => {},
  } as Engine;
}

describe('speakSegments', () => {
  it("moves the stream's playback clock by the audio handed out, across segments", async () => {
    const deadlines: number[] = [];
    const request = {
      request_id: 'r',
      model: 'fake',
      voice: 'v',
      language: 'en',
      input: 'Hello. Hallo.',
      segments: [
        { text: 'Hello.', language: 'en' },
        { text: 'Hallo.', language: 'de' },
      ],
      response_format: 'pcm',
      speed: 1,
    } as WorkerSynthesisRequest;
    const clock = new PlaybackClock({ startedAt: 0, now: () => 0 });
    const seen: number[] = [];
    for await (const _chunk of speakSegments(planSynthesis(request, new Map([['fake', recordingEngine(deadlines)]])), new AbortController().signal, clock)) {
      seen.push(clock.deadline()); // while the consumer holds a chunk, the deadline is that chunk's
    }
    // 250 ms of audio a chunk: each piece of work asks with the audio before it counted.
    expect(deadlines).toEqual([0, 250, 500, 750]);
    expect(seen).toEqual([0, 250, 500, 750]);
    expect(clock.deadline()).toBe(1000);
  });
});

/**
 * An engine at 1,000 Hz that says each text as 50 quiet samples, 200 loud ones, 100 quiet ones,
 * in chunks of 70, with one word per space-separated word of the text spread over the loud part.
 */
function toneEngine(capabilities: { phonemes: boolean; emphasis: boolean }, requests: SynthesisRequest[] = []): Engine {
  return {
    info: {
      id: 'tone',
      engine: 'espeak',
      description: '',
      languages: ['en', 'de'],
      sample_rate: 1000,
      capabilities: { streaming: true, clone: 'approximate', design: 'approximate', instructions: false, seed: false, deterministic: true, ...capabilities },
      default_voice: 'v',
      voices: [{ id: 'v', name: 'V', gender: 'female', language: 'en' }],
      version: '',
    },
    wordAlignment: 'exact',
    async *synthesize(request: SynthesisRequest) {
      requests.push(request);
      const audio = new Float32Array(350);
      audio.fill(0.5, 50, 250);
      const spans = [...request.text.matchAll(/\S+/gu)].map((match) => ({ start: [...request.text.slice(0, match.index)].length, length: [...match[0]].length }));
      const step = 200 / spans.length;
      const words = spans.map((span, i) => ({ charStart: span.start, charEnd: span.start + span.length, startSample: Math.round(50 + i * step), endSample: Math.round(50 + (i + 1) * step) }));
      for (let at = 0; at < audio.length; at += 70) {
        const inChunk = words.filter((word) => word.startSample >= at && word.startSample < at + 70);
        yield { audio: audio.slice(at, at + 70), ...(request.words ? { words: inChunk } : {}) };
      }
    },
    close: async () => {},
  } as Engine;
}

const toneRequest = (overrides: Partial<WorkerSynthesisRequest>) =>
  ({ request_id: 'r', model: 'tone', voice: 'v', language: 'en', response_format: 'pcm', speed: 1, timestamps: true, ...overrides }) as WorkerSynthesisRequest;

async function speak(request: WorkerSynthesisRequest, engine = toneEngine({ phonemes: true, emphasis: true })) {
  const parts: Float32Array[] = [];
  const words: EngineWord[] = [];
  let samples = 0;
  for await (const chunk of speakSegments(planSynthesis(request, new Map([['tone', engine]])), new AbortController().signal)) {
    // A word goes out before (or with) the audio that holds its start.
    for (const word of chunk.words ?? []) expect(word.startSample).toBeGreaterThanOrEqual(samples);
    words.push(...(chunk.words ?? []));
    parts.push(chunk.audio);
    samples += chunk.audio.length;
  }
  const audio = new Float32Array(samples);
  let at = 0;
  for (const part of parts) {
    audio.set(part, at);
    at += part.length;
  }
  return { audio, words };
}

/** Stretches of samples under 0.01 at least `min` long, as [start, end). */
function quietStretches(audio: Float32Array, min = 20): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let from = -1;
  for (let i = 0; i <= audio.length; i++) {
    const quiet = i < audio.length && Math.abs(audio[i]!) < 0.01;
    if (quiet && from < 0) from = i;
    if (!quiet && from >= 0) {
      if (i - from >= min) found.push([from, i]);
      from = -1;
    }
  }
  return found;
}

describe('speakSegments with pauses, rates and source runs', () => {
  it('makes a pause exactly its length from the last sound before it to the first after, words moving with the cut', async () => {
    const input = 'one two <break time="500ms"/> three';
    const { audio, words } = await speak(
      toneRequest({
        input,
        segments: [
          { text: 'one two ', language: 'en', source: [{ length: 8, input_start: 0 }] },
          { pause_ms: 500 },
          { text: 'three', language: 'en', source: [{ length: 5, input_start: 30 }] },
        ],
      }),
    );
    // The quiet at the stream's ends stays (no pause there); the quiet around the pause goes.
    expect(quietStretches(audio)).toEqual([[0, 50], [250, 750], [950, 1050]]);
    expect(audio.length).toBe(750 + 200 + 100);
    expect(words.map((word) => [...input].slice(word.charStart, word.charEnd).join(''))).toEqual(['one', 'two', 'three']);
    // "three" starts where its sound does, after the pause; "two" ends before it.
    expect(words[2]).toMatchObject({ startSample: 750, endSample: 950 });
    expect(words[1]!.endSample).toBeLessThanOrEqual(250);
  });

  it('joins pauses that follow each other, and makes a pause with no speech around it whole', async () => {
    const { audio } = await speak(toneRequest({ input: 'x', segments: [{ pause_ms: 300 }, { pause_ms: 200 }] }));
    expect(audio.length).toBe(500);
    expect(audio.every((sample) => sample === 0)).toBe(true);
  });

  it('ramps the speech at a cut rather than stopping it dead', async () => {
    const { audio } = await speak(toneRequest({ input: 'a b', segments: [{ text: 'a', language: 'en' }, { pause_ms: 100 }, { text: 'b', language: 'en' }] }));
    // The first sample of the second segment's kept audio (one ramp before its sound) starts near zero.
    const resumed = 250 + 100 - 5;
    expect(Math.abs(audio[resumed]!)).toBeLessThan(0.05);
    expect(audio[resumed + 5]).toBe(0.5);
  });

  it("merges a replaced run's words into one and holds its audio only while it grows", async () => {
    const input = 'Dr. Smith';
    const { words } = await speak(
      toneRequest({
        input,
        segments: [{ text: 'Doctor Who Smith', language: 'en', source: [{ length: 10, input_start: 0, replaces: 3 }, { length: 6, input_start: 3 }] }],
      }),
    );
    expect(words.map((word) => [...input].slice(word.charStart, word.charEnd).join(''))).toEqual(['Dr.', 'Smith']);
    expect(words[0]).toMatchObject({ startSample: 50 });
    expect(words[0]!.endSample).toBe(words[1]!.startSample);
  });

  it("multiplies the request's speed by a segment's rate, within 0.25 to 4", async () => {
    const requests: SynthesisRequest[] = [];
    await speak(
      toneRequest({ input: 'a b c', speed: 2, segments: [{ text: 'a', language: 'en', rate: 0.5 }, { text: 'b', language: 'en', rate: 4 }, { text: 'c', language: 'en', rate: 0.05 }] }),
      toneEngine({ phonemes: true, emphasis: true }, requests),
    );
    expect(requests.map((request) => request.speed)).toEqual([1, 4, 0.25]);
  });

  it('hands the engine the phoneme stretches and emphasis of a segment', async () => {
    const requests: SynthesisRequest[] = [];
    await speak(
      toneRequest({ input: 'say tomato', segments: [{ text: 'say tomato', language: 'en', emphasis: true, source: [{ length: 4, input_start: 0 }, { length: 6, input_start: 4, ipa: 'təˈmɑːtoʊ' }] }] }),
      toneEngine({ phonemes: true, emphasis: true }, requests),
    );
    expect(requests[0]).toMatchObject({ emphasis: true, pronunciations: [{ charStart: 4, charEnd: 10, ipa: 'təˈmɑːtoʊ' }] });
  });

  it('refuses phonemes or emphasis for a model without them, and runs that do not fit', () => {
    const plain = new Map([['tone', toneEngine({ phonemes: false, emphasis: false })]]);
    const refusal = (segments: WorkerSynthesisRequest['segments'], input = 'say tomato') => {
      try {
        planSynthesis(toneRequest({ input, segments }), plain);
      } catch (error) {
        return { status: (error as ApiError).status, code: (error as ApiError).code, param: (error as ApiError).param };
      }
      return undefined;
    };
    const invalid = { status: 400, code: 'invalid_parameter', param: 'segments' };
    expect(refusal([{ text: 'say tomato', language: 'en', source: [{ length: 10, input_start: 0, ipa: 'seɪ' }] }])).toEqual(invalid);
    expect(refusal([{ text: 'say tomato', language: 'en', emphasis: true }])).toEqual(invalid);
    expect(refusal([{ text: 'say tomato', language: 'en', source: [{ length: 9, input_start: 0 }] }])).toEqual(invalid);
    expect(refusal([{ text: 'say tomato', language: 'en', source: [{ length: 10, input_start: 5 }] }])).toEqual(invalid);
    expect(refusal([{ text: 'say tomato', language: 'en', rate: 2, source: [{ length: 10, input_start: 0 }] }, { pause_ms: 10 }])).toBeUndefined();
  });
});
