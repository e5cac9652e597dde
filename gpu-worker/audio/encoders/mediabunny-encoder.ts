import { AppendOnlyStreamTarget, AudioSample, AudioSampleSource, Output, Quality, type AudioCodec, type OutputFormat } from 'mediabunny';
import { floatToInt16 } from '../../../shared/audio/pcm.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

export interface MediabunnyTrack {
  /** A container that only ever appends (ADTS, append-only FLAC, Ogg): bytes leave as they are made. */
  format: OutputFormat;
  /** Encoded by the codec registered with mediabunny for it (see aac.ts, flac.ts, opus.ts). */
  codec: AudioCodec;
  /** Bits per second the codec aims at; lossless codecs take none. */
  bitrate?: number;
}

/**
 * Mediabunny as codec host and muxer: samples go to the codec registered for `track.codec`, its
 * packets into `track.format`, and the container's bytes to `sink` as the muxer writes them.
 *
 * `write()` resolves once mediabunny has taken the samples: its codecs run behind a small queue
 * (a worker thread for AAC and FLAC), so their bytes reach the sink a moment later, and mediabunny
 * holds back further samples while the sink is slow. `end()` resolves once every byte is sent.
 */
export async function mediabunnyEncoder(sink: ByteSink, sampleRate: number, track: MediabunnyTrack): Promise<StreamEncoder> {
  const output = new Output({
    format: track.format,
    target: new AppendOnlyStreamTarget(new WritableStream<Uint8Array>({ write: (bytes) => sink(bytes) })),
  });
  const source = new AudioSampleSource({ codec: track.codec, ...(track.bitrate ? { quality: new Quality({ bitrate: track.bitrate }) } : {}) });
  output.addAudioTrack(source);
  await output.start();

  let samplesIn = 0;
  // The codec starts (a thread, for AAC and FLAC) with the first sample, and a cancel that comes
  // while it starts would miss that thread and leave it running: cancel only once it has started.
  let codecStarted: Promise<unknown> = Promise.resolve();
  const add = async (samples: Float32Array) => {
    // 16-bit, as every other format carries (FLAC would otherwise encode 24 bits of float noise).
    const sample = new AudioSample({ data: floatToInt16(samples), format: 's16', numberOfChannels: 1, sampleRate, timestamp: samplesIn / sampleRate });
    const added = source.add(sample).finally(() => sample.close());
    if (samplesIn === 0) codecStarted = added.catch(() => {});
    samplesIn += samples.length;
    await added;
  };

  return {
    async write(samples) {
      if (samples.length > 0) await add(samples);
    },
    async end() {
      await output.finalize();
    },
    close() {
      // Cancelling stops the codec and frees its thread; a finished output has nothing left to free.
      const cancel = () => (output.state === 'pending' || output.state === 'started' ? output.cancel() : undefined);
      void codecStarted.then(cancel).catch(() => {});
    },
  };
}
