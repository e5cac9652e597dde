import type { AudioOutput } from './audio-output.ts';
import type { StreamPlayer } from './player.ts';
import type { SampleDecoder } from './sample-decoders.ts';

/**
 * How far ahead of the clock the first buffer (and any after the stream fell behind) is
 * scheduled: enough for the next chunk to be decoded and queued behind it without a gap.
 */
const LEAD_SECONDS = 0.05;

/** Schedules one AudioBuffer per chunk, end to end, on the output's clock, as chunks arrive. */
export function samplePlayer(output: AudioOutput, decode: SampleDecoder, sampleRate: number, onFirstAudio: () => void): StreamPlayer {
  const { context, analyser } = output;
  const sources = new Set<AudioBufferSourceNode>();
  let nextStart = 0;
  let started = false;
  let ended = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const settle = () => {
    if (ended && sources.size === 0) finish();
  };

  return {
    push(chunk) {
      if (ended) return;
      const samples = decode(chunk);
      if (samples.length === 0) return;
      const buffer = context.createBuffer(1, samples.length, sampleRate);
      buffer.copyToChannel(samples, 0);
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(analyser);
      const at = Math.max(nextStart, context.currentTime + LEAD_SECONDS);
      source.start(at);
      nextStart = at + buffer.duration;
      sources.add(source);
      source.addEventListener('ended', () => {
        sources.delete(source);
        settle();
      });
      if (!started) {
        started = true;
        onFirstAudio();
      }
    },
    end() {
      ended = true;
      settle();
      return finished;
    },
    stop() {
      ended = true;
      for (const source of sources) source.stop();
      sources.clear();
      finish();
    },
  };
}
