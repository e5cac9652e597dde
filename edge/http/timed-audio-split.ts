import type { TimedAudioEnd, TimedAudioEvent, WordTimestamp } from '../../shared/protocol/timed-audio.ts';

/** A timed-audio stream taken apart: its audio bytes as a stream, its words and end on the side. */
export interface SplitTimedAudio {
  /** The audio bytes alone, pulled from the events as it is read (meter and send this). */
  audio: ReadableStream<Uint8Array>;
  /** The words that arrived since the last call: those whose audio has been read, or is next. */
  takeWords(): WordTimestamp[];
  /** The worker's end frame, once the audio has ended (null when the stream had none). */
  end(): TimedAudioEnd | null;
}

/**
 * Separates a worker's timed audio into the audio stream every transport sends and the words
 * that go with it. Words come before the audio that holds them, so whoever reads an audio chunk
 * and then takes the words has every word that starts in it.
 */
export function splitTimedAudio(events: ReadableStream<TimedAudioEvent>): SplitTimedAudio {
  const reader = events.getReader();
  let words: WordTimestamp[] = [];
  let end: TimedAudioEnd | null = null;
  const audio = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          if (value.kind === 'words') words.push(...value.words);
          else if (value.kind === 'end') end = value.end;
          else if (value.bytes.byteLength > 0) return controller.enqueue(value.bytes);
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return {
    audio,
    takeWords() {
      const taken = words;
      words = [];
      return taken;
    },
    end: () => end,
  };
}
