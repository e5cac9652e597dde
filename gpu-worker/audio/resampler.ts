import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { concatSamples } from '../../shared/audio/pcm.ts';
import { giveBackConverter, takeConverter } from './converter-pool.ts';

// A CommonJS package: its named exports are reached through the default import under Node's ESM.
const { ConverterType, create } = libsamplerate;

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
 * libsamplerate (the reference C library, as WebAssembly) in its streaming ("full") mode, with
 * the medium-quality sinc converter (see converter-pool.ts). One left by an earlier stream is
 * reused; a new one takes 15 to 50 ms to make: start it beside the engine's first step.
 */
export async function createResampler(fromRate: number, toRate: number): Promise<StreamResampler> {
  if (fromRate === toRate) return new Passthrough();
  const src = await takeConverter(fromRate, toRate);
  const ratio = toRate / fromRate;
  let consumed = 0;
  let produced = 0;
  let closed = false;
  return {
    push(samples) {
      consumed += samples.length;
      const out = src.full(samples);
      produced += out.length;
      return out;
    },
    end() {
      // libsamplerate holds back its filter delay; push silence until the expected length is out.
      const expected = Math.round(consumed * ratio);
      const tail: Float32Array[] = [];
      for (let guard = 0; produced < expected && guard < 64; guard++) {
        const out = src.full(new Float32Array(512));
        tail.push(out.subarray(0, Math.max(0, Math.min(out.length, expected - produced))));
        produced += out.length;
      }
      return concatSamples(tail);
    },
    close() {
      if (closed) return;
      closed = true;
      giveBackConverter(src, fromRate, toRate);
    },
  };
}

/** Resamples a whole clip at once (reference audio for cloning), with the same converter. */
export async function resampleAll(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  if (fromRate === toRate) return samples;
  const src = await create(1, fromRate, toRate, { converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY });
  try {
    return src.simple(samples);
  } finally {
    src.destroy();
  }
}
