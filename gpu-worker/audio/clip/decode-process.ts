/**
 * The body of a decode process: one uploaded clip, decoded by @audio/decode (WebAssembly and JS
 * decoders), downmixed and resampled. A process, not a worker thread: a crafted file can make a
 * decoder exhaust its JS heap in one allocation, which V8 answers by aborting the whole process
 * even inside a thread with resourceLimits (nodejs/node#47224). Here that ends this process only.
 */
import decode from '@audio/decode';
import { concatSamples } from '../../../shared/audio/pcm.ts';
import { resampleAll } from '../resampler.ts';
import type { DecodeJob, DecodeMessage, DecodeReply } from './protocol.ts';

/** Fed in pieces so a long clip stops early where the format streams (most do; M4A with its index at the end does not). */
const CHUNK_BYTES = 64 * 1024;
/** Rates a real recording can have; anything else is a bogus header. */
const MIN_RATE = 4_000;
const MAX_RATE = 384_000;

async function* pieces(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) yield bytes.subarray(offset, offset + CHUNK_BYTES);
}

/** In place: NaN to 0 and everything into [-1, 1] (garbage float data; a resampler's overshoot on clipped audio). */
function clamp(samples: Float32Array): Float32Array {
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    samples[i] = sample > 1 ? 1 : sample < -1 ? -1 : sample === sample ? sample : 0;
  }
  return samples;
}

/** The channels averaged, into a new array. */
function downmix(channels: Float32Array[]): Float32Array {
  const mono = new Float32Array(Math.min(...channels.map((channel) => channel.length)));
  for (const channel of channels) for (let i = 0; i < mono.length; i++) mono[i]! += channel[i]!;
  for (let i = 0; i < mono.length; i++) mono[i]! /= channels.length;
  return mono;
}

const failed = (error: unknown): DecodeReply => ({ type: 'failed', reason: `the decoder reports "${String((error as Error)?.message ?? error).slice(0, 200)}"` });

async function run({ bytes, format, stopAfterSeconds, outputRate, analysisRate }: DecodeJob): Promise<DecodeReply> {
  const parts: Float32Array[] = [];
  let frames = 0;
  let sampleRate = 0;
  let channels = 0;
  try {
    for await (const block of decode(pieces(bytes), format)) {
      if (!(block.sampleRate >= MIN_RATE && block.sampleRate <= MAX_RATE)) return { type: 'failed', reason: `its sample rate (${block.sampleRate} Hz) is not a real one` };
      if (sampleRate && block.sampleRate !== sampleRate) return { type: 'failed', reason: `its sample rate changes partway (${sampleRate} Hz, then ${block.sampleRate} Hz)` };
      sampleRate = block.sampleRate;
      channels = Math.max(channels, block.channelData.length); // MP3 and AAC decoders report a mono-in-stereo stream as mono
      const mono = clamp(downmix(block.channelData));
      parts.push(mono);
      frames += mono.length;
      // Returning ends the for-await, which frees the decoder.
      if (frames > stopAfterSeconds * sampleRate) return { type: 'too_long' };
    }
  } catch (error) {
    return failed(error);
  }
  if (frames === 0) return { type: 'failed', reason: 'it holds no audio samples' };
  const mono = concatSamples(parts);
  const samples = clamp(await resampleAll(mono, sampleRate, outputRate));
  // Analysis audio from whichever of the two is nearer its rate: the cheaper conversion.
  const analysisSamples = sampleRate <= outputRate ? await resampleAll(mono, sampleRate, analysisRate) : await resampleAll(samples, outputRate, analysisRate);
  return { type: 'decoded', samples, analysisSamples, sourceSampleRate: sampleRate, sourceChannels: channels, sourceFrames: frames };
}

const send = (message: DecodeMessage, then?: () => void) => process.send!(message, undefined, {}, then);

// The parent gone (it kills us otherwise): nothing left to answer.
process.once('disconnect', () => process.exit(0));
process.once('message', (job: DecodeJob) => {
  void run(job)
    .catch(failed)
    .then((reply) => send(reply, () => process.disconnect()));
});
send({ type: 'ready' });
