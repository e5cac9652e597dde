import { describe, expect, it } from 'vitest';
import { encodeTimedAudio, readTimedAudio, TimedAudioReader, type TimedAudioEvent } from './timed-audio.ts';

const word = { word: 'hello', char_start: 0, char_end: 5, start_ms: 12, end_ms: 340 };
const frames = () => [encodeTimedAudio.words([word]), encodeTimedAudio.audio(new Uint8Array([1, 2, 3, 4])), encodeTimedAudio.end({ audio_ms: 400, alignment: 'exact' })];
const joined = () => {
  const parts = frames();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.byteLength));
  return out;
};

describe('timed audio frames', () => {
  it('reads frames back whatever the cuts between the bytes', () => {
    const bytes = joined();
    for (const cut of [1, 2, 5, 7, 13]) {
      const reader = new TimedAudioReader();
      const events: TimedAudioEvent[] = [];
      for (let at = 0; at < bytes.byteLength; at += cut) events.push(...reader.push(bytes.subarray(at, at + cut)));
      expect(events).toEqual([
        { kind: 'words', words: [word] },
        { kind: 'audio', bytes: new Uint8Array([1, 2, 3, 4]) },
        { kind: 'end', end: { audio_ms: 400, alignment: 'exact' } },
      ]);
      expect(reader.atFrameBoundary).toBe(true);
    }
  });

  it('a stream that stops inside a frame errors instead of ending short', async () => {
    const bytes = joined();
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, bytes.byteLength - 3));
        controller.close();
      },
    });
    const reader = readTimedAudio(cut).getReader();
    await expect((async () => { for (;;) if ((await reader.read()).done) return; })()).rejects.toThrow(/inside a frame/);
  });

  it('a stream that stops between frames but before its end frame errors too', async () => {
    const [words, audio] = frames();
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(words!);
        controller.enqueue(audio!);
        controller.close();
      },
    });
    const reader = readTimedAudio(cut).getReader();
    await expect((async () => { for (;;) if ((await reader.read()).done) return; })()).rejects.toThrow(/without its end frame/);
  });

  it('refuses a frame kind it does not know', () => {
    expect(() => new TimedAudioReader().push(new Uint8Array([9, 0, 0, 0, 0]))).toThrow(/unknown frame kind 9/);
  });
});
