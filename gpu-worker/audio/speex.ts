import createSpeexModule, { type SpeexModule } from '@echogarden/speex-resampler-wasm/simd';
import { concatSamples } from '../../shared/audio/pcm.ts';

/**
 * SpeexDSP's resampler as WebAssembly (Echogarden's build, with SIMD): one module for the process,
 * a small state per stream in its memory. Quality 5 of 10 (SpeexDSP's "desktop" setting): about
 * 2.6 ms of CPU per second of audio from 22.05 to 24 kHz, against 10.6 ms for libsamplerate's
 * medium sinc as the JavaScript it shipped as (the worker's main thread spent most of its time
 * there under load); aliasing and images stay far under the bars of resampler.test.ts.
 */
const SPEEX_QUALITY = 5;
/** Input samples handed to the library per call; the scratch buffers are sized for it. */
const BLOCK = 4096;

let loading: Promise<SpeexModule> | undefined;
const speex = () => (loading ??= createSpeexModule());

/** One resampler state, converting mono float audio from one rate to another, in blocks. */
export class SpeexConverter {
  private readonly module: SpeexModule;
  private readonly state: number;
  /** Scratch: input block, output block, and the two in/out length words. */
  private readonly input: number;
  private readonly output: number;
  private readonly lengths: number;
  private readonly outputCapacity: number;

  static async create(fromRate: number, toRate: number): Promise<SpeexConverter> {
    return new SpeexConverter(await speex(), fromRate, toRate);
  }

  private constructor(module: SpeexModule, fromRate: number, toRate: number) {
    this.module = module;
    this.outputCapacity = Math.ceil((BLOCK * toRate) / fromRate) + 64;
    this.lengths = module._malloc(8);
    this.state = module._speex_resampler_init(1, fromRate, toRate, SPEEX_QUALITY, this.lengths);
    if (this.state === 0) throw new Error(`speex resampler: cannot convert ${fromRate} Hz to ${toRate} Hz`);
    this.input = module._malloc(BLOCK * 4);
    this.output = module._malloc(this.outputCapacity * 4);
    this.reset();
  }

  /** Everything the filter can give for `samples` now; it holds back its delay until more comes. */
  process(samples: Float32Array): Float32Array {
    const m = this.module;
    const parts: Float32Array[] = [];
    for (let offset = 0; offset < samples.length; ) {
      const block = samples.subarray(offset, offset + BLOCK);
      // Views are read after each call: the module's memory may have grown and replaced them.
      m.HEAPF32.set(block, this.input >> 2);
      m.HEAPU32[this.lengths >> 2] = block.length;
      m.HEAPU32[(this.lengths >> 2) + 1] = this.outputCapacity;
      m._speex_resampler_process_float(this.state, 0, this.input, this.lengths, this.output, this.lengths + 4);
      const consumed = m.HEAPU32[this.lengths >> 2]!;
      const produced = m.HEAPU32[(this.lengths >> 2) + 1]!;
      parts.push(m.HEAPF32.slice(this.output >> 2, (this.output >> 2) + produced));
      if (consumed === 0) throw new Error('speex resampler: no input consumed');
      offset += consumed;
    }
    return parts.length === 1 ? parts[0]! : concatSamples(parts);
  }

  /** Clears the filter for a new stream, and aligns its output with its input (no leading zeros). */
  reset(): void {
    this.module._speex_resampler_reset_mem(this.state);
    this.module._speex_resampler_skip_zeros(this.state);
  }

  destroy(): void {
    this.module._speex_resampler_destroy(this.state);
    for (const pointer of [this.input, this.output, this.lengths]) this.module._free(pointer);
  }
}
