import { concatSamples } from '../../shared/audio/pcm.ts';
import { giveBackConverter, takeConverter } from './converter-pool.ts';

/** A streaming mono resampler: feed chunks, then `end()` for the tail. Exact total length out. */
export interface StreamResampler {
  push(samples: Float32Array): Float32Array;
  /** Flushes the filter's delay line; the whole stream is then round(input × ratio) samples. */
  end(): Float32Array;
  /** Gives the converter back for the next stream; safe to call more than once, and needed when a stream stops early. */
  close(): void;
}

class Passthrough implements StreamResampler {
  push(samples: Float32Array) {
    return samples;
  }
  end() {
    return new Float32Array(0);
  }
  close() {}
}

/**
 * SpeexDSP's resampler (see speex.ts), streaming: each chunk gives what the filter can give for
 * it, and `end()` the rest. One left by an earlier stream of the same rates is reused.
 */
export async function createResampler(fromRate: number, toRate: number): Promise<StreamResampler> {
  if (fromRate === toRate) return new Passthrough();
  const converter = await takeConverter(fromRate, toRate);
  const ratio = toRate / fromRate;
  let consumed = 0;
  let produced = 0;
  let closed = false;
  return {
    push(samples) {
      consumed += samples.length;
      const out = converter.process(samples);
      produced += out.length;
      return out;
    },
    end() {
      // The filter holds back its delay: push silence until the expected length is out.
      const expected = Math.round(consumed * ratio);
      const tail: Float32Array[] = [];
      for (let guard = 0; produced < expected && guard < 64; guard++) {
        const out = converter.process(new Float32Array(512));
        tail.push(out.subarray(0, Math.max(0, Math.min(out.length, expected - produced))));
        produced += out.length;
      }
      return concatSamples(tail);
    },
    close() {
      if (closed) return;
      closed = true;
      giveBackConverter(converter, fromRate, toRate);
    },
  };
}

/** Resamples a whole clip at once (reference audio for cloning), exactly round(n × ratio) samples long. */
export async function resampleAll(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  if (fromRate === toRate) return samples;
  const resampler = await createResampler(fromRate, toRate);
  try {
    return concatSamples([resampler.push(samples), resampler.end()]);
  } finally {
    resampler.close();
  }
}
