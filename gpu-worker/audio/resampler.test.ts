import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { concatSamples } from '../../shared/audio/pcm.ts';
import { createResampler } from './resampler.ts';

const tone = (frequency: number, rate: number, length: number, offset = 0) =>
  Float32Array.from({ length }, (_, i) => 0.5 * Math.sin((2 * Math.PI * frequency * (i + offset)) / rate));

describe('createResampler', () => {
  // The engines' rates (espeak 22.05 kHz, Qwen3-TTS 24 kHz) to the codec's own and to 32 kHz.
  it.each([
    [22_050, 24_000],
    [22_050, 32_000],
    [24_000, 32_000],
  ])('turns %d Hz into %d Hz, chunk by chunk, with exactly round(n × ratio) samples', async (from, to) => {
    const resampler = await createResampler(from, to);
    const out: number[] = [];
    let consumed = 0;
    for (const size of [100, 3_000, 1, 2_047, 5_000]) {
      out.push(...resampler.push(tone(440, from, size, consumed)));
      consumed += size;
    }
    out.push(...resampler.end());
    resampler.close();
    expect(out.length).toBe(Math.round((consumed * to) / from));
    // A 440 Hz tone stays a 440 Hz tone: count zero crossings in the steady middle quarter second.
    const middle = out.slice(1_000, 1_000 + to / 4);
    let crossings = 0;
    for (let i = 1; i < middle.length; i++) if (middle[i - 1]! < 0 !== middle[i]! < 0) crossings++;
    expect(crossings / 2 / (middle.length / to)).toBeCloseTo(440, -1);
  });

  it('a converter left by an earlier stream, even one cut short, starts the next stream clean', async () => {
    const cut = await createResampler(22_050, 24_000);
    cut.push(tone(1_000, 22_050, 3_000)); // cancelled mid-stream: its filter still holds this tone
    cut.close();
    // The last converter given back is the first taken again: `reused` is the one just cut short.
    const reused = await createResampler(22_050, 24_000);
    const other = await createResampler(22_050, 24_000);
    const input = tone(440, 22_050, 5_000);
    const [fromReused, fromOther] = [reused, other].map((resampler) => concatSamples([resampler.push(input), resampler.end()]));
    reused.close();
    other.close();
    expect(fromReused).toEqual(fromOther);
  });

  it('passes audio through untouched when the rates match', async () => {
    const resampler = await createResampler(24_000, 24_000);
    const input = tone(100, 24_000, 480);
    expect(resampler.push(input)).toBe(input);
    expect(resampler.end()).toHaveLength(0);
  });

  describe('a 100 Hz to 11.9 kHz sweep at 24 kHz', () => {
    const RATE = 24_000;
    const SWEEP = { from: 100, to: 11_900, seconds: 2 };
    const frequencyAt = (seconds: number) => SWEEP.from + ((SWEEP.to - SWEEP.from) * seconds) / SWEEP.seconds;
    const sweep = Float32Array.from({ length: RATE * SWEEP.seconds }, (_, i) => {
      const t = i / RATE;
      return 0.5 * Math.sin(2 * Math.PI * (SWEEP.from * t + ((SWEEP.to - SWEEP.from) * t * t) / (2 * SWEEP.seconds)));
    });
    const resample = async (toRate: number) => {
      const resampler = await createResampler(RATE, toRate);
      const out: Float32Array[] = [];
      for (let offset = 0; offset < sweep.length; offset += 4_800) out.push(resampler.push(sweep.subarray(offset, offset + 4_800)));
      out.push(resampler.end());
      resampler.close();
      return concatSamples(out);
    };
    /** Energy of consecutive blocks, each with the sweep's frequency at its middle. */
    const blocks = (samples: Float32Array, rate: number, size: number) =>
      Array.from({ length: Math.floor(samples.length / size) }, (_, i) => ({
        frequency: frequencyAt((i + 0.5) * (size / rate)),
        samples: samples.subarray(i * size, (i + 1) * size),
      }));
    const energy = (samples: Float32Array) => samples.reduce((sum, s) => sum + s * s, 0);
    const decibels = (ratio: number) => 10 * Math.log10(ratio);

    it('to 8 kHz: what lay above 4 kHz is filtered out, not folded back down (aliasing)', async () => {
      // At 8 kHz, whatever comes out while the sweep is above 4 kHz can only be aliases.
      const parts = blocks(await resample(8000), 8000, 160);
      const mean = (list: typeof parts) => list.reduce((sum, block) => sum + energy(block.samples), 0) / list.length;
      const passband = mean(parts.filter((block) => block.frequency > 300 && block.frequency < 3400));
      const aliases = Math.max(...parts.filter((block) => block.frequency > 4600).map((block) => energy(block.samples)));
      expect(decibels(aliases / passband)).toBeLessThan(-40);
    });

    it.each([32_000, 48_000])('to %d Hz: nothing above 12 kHz (the images of the sweep)', async (to) => {
      // Hann-windowed spectra of 1024-sample blocks: share of each block's energy above 13 kHz.
      const size = 1024;
      const fft = new FFT(size);
      const spectrum = fft.createComplexArray() as number[];
      const hann = Float32Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
      const firstImageBin = Math.ceil((13_000 * size) / to);
      const imageShares = blocks(await resample(to), to, size)
        .filter((block) => block.frequency < 10_500)
        .map((block) => {
          fft.realTransform(spectrum, Array.from(block.samples, (s, i) => s * hann[i]!));
          let images = 0;
          let total = 0;
          for (let bin = 1; bin < size / 2; bin++) {
            const power = spectrum[2 * bin]! ** 2 + spectrum[2 * bin + 1]! ** 2;
            total += power;
            if (bin >= firstImageBin) images += power;
          }
          return images / total;
        });
      expect(decibels(Math.max(...imageShares))).toBeLessThan(-40);
    });
  });
});
