import { describe, expect, it } from 'vitest';
import type { WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { PlaybackClock } from '../engines/playback-clock.ts';
import type { Engine, SynthesisRequest } from '../engines/types.ts';
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
      capabilities: { streaming: true, clone: 'approximate', design: 'approximate', instructions: false, seed: false, phonemes: false, emphasis: false },
      default_voice: 'v',
      voices: [{ id: 'v', name: 'V', gender: 'female', language: 'en' }],
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
