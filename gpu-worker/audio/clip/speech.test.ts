import { beforeAll, describe, expect, it, vi } from 'vitest';
import { resampleAll } from '../resampler.ts';
import { speechSource, wavSamples } from './fixtures.ts';
import { speechSeconds, VAD_SAMPLE_RATE } from './speech.ts';

const seconds = (n: number, sample: (t: number) => number) => Float32Array.from({ length: n * VAD_SAMPLE_RATE }, (_, i) => sample(i / VAD_SAMPLE_RATE));

let speech: Float32Array;
beforeAll(async () => {
  const { samples, sampleRate } = wavSamples((await speechSource()).wav);
  speech = await resampleAll(samples, sampleRate, VAD_SAMPLE_RATE);
});

describe('speech detection', () => {
  // First in the file: the detector is made here, once per module instance.
  it('makes its detector without "[VAD]" lines on console.debug (stdout carries JSON logs)', async () => {
    const debug = vi.spyOn(console, 'debug');
    try {
      await speechSeconds(new Float32Array(VAD_SAMPLE_RATE));
      expect(debug).not.toHaveBeenCalled();
    } finally {
      debug.mockRestore();
    }
  });

  it('finds speech in speech, and none in noise', async () => {
    expect(await speechSeconds(speech)).toBeGreaterThan(2);
    expect(await speechSeconds(seconds(5, () => Math.random() - 0.5))).toBe(0);
  });

  it('runs analyses one at a time: together they give what each gives alone', async () => {
    const inputs = [speech, speech.subarray(0, speech.length >> 1), seconds(3, () => Math.random() - 0.5), speech];
    const alone: number[] = [];
    for (const input of inputs) alone.push(await speechSeconds(input));
    expect(await Promise.all(inputs.map((input) => speechSeconds(input)))).toEqual(alone);
  });

  // Aborted from the analysis's own progress, not on a timer: a timer could fire after it ended.
  it('stops mid-analysis on abort with the reason, and the next analysis is unaffected', async () => {
    const alone = await speechSeconds(speech);
    let frames = 0;
    await speechSeconds(speech, undefined, (done) => (frames = done));
    const abort = new AbortController();
    const abortAt = Math.floor(frames / 2); // inside the speech: the detector has state to reset
    let analysed = 0;
    const aborted = speechSeconds(speech, abort.signal, (done) => {
      analysed = done;
      if (done === abortAt) abort.abort(new Error('client went away'));
    });
    await expect(aborted).rejects.toThrow('client went away');
    expect(analysed).toBe(abortAt); // not one frame more
    expect(await speechSeconds(speech)).toBe(alone);
  });

  it('does not start on a signal already aborted', async () => {
    let analysed = 0;
    const aborted = speechSeconds(speech, AbortSignal.abort(new Error('already gone')), (done) => (analysed = done));
    await expect(aborted).rejects.toThrow('already gone');
    expect(analysed).toBe(0);
  });
});
