import { createMp3Encoder } from 'wasm-media-encoders';
import { FORMATS } from '../../../shared/audio/formats.ts';
import { IdlePool } from '../idle-pool.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

type Lame = Awaited<ReturnType<typeof createMp3Encoder>>;
type LameParams = Parameters<Lame['configure']>[0];
type Mp3Bitrate = NonNullable<LameParams['bitrate']>;
type Mp3SampleRate = NonNullable<LameParams['outputSampleRate']>;

/**
 * LAME instances reused across streams (see IdlePool): making one took about 30 ms of CPU, per
 * stream. `configure` resets one for its next stream, also after a stream cut short (the library
 * documents reuse this way).
 */
const encoders = new IdlePool<Lame>({ maxPerKind: 16 });

/**
 * MP3 from LAME as WebAssembly (wasm-media-encoders), run synchronously in this thread: 4.7 ms of
 * CPU per second of audio and its first frame 7 ms after the encoder is asked for (`npm run
 * bench:encoders`; the README's encoder table). lamejs (LAME in plain JavaScript) took 18 ms per
 * second and 20 ms to its first frame;
 * @mediabunny/mp3-encoder starts a thread per stream, about 90 ms before its first byte.
 * Constant bitrate, so a byte count says how much audio was delivered (see settlement.ts).
 *
 * `bitrate` (bits per second) must be one the MPEG version of `sampleRate` has and the library
 * takes (`MP3_BITRATES_KBPS` in shared/audio/formats.ts): LAME would quietly encode another. The
 * output rate is pinned to the input's, else LAME picks one to suit the bitrate (44.1 kHz at
 * 32 kb/s came out at 22.05 kHz).
 */
export async function mp3Encoder(sink: ByteSink, sampleRate: number, bitrate = FORMATS.mp3.bitrate(sampleRate)): Promise<StreamEncoder> {
  const lame = encoders.take('lame') ?? (await createMp3Encoder());
  lame.configure({ channels: 1, sampleRate, outputSampleRate: sampleRate as Mp3SampleRate, bitrate: (bitrate / 1000) as Mp3Bitrate });
  let closed = false;
  // The encoder's output lives in its WebAssembly memory until the next call: send a copy.
  const send = async (frames: Uint8Array) => {
    if (frames.byteLength > 0) await sink(frames.slice());
  };
  return {
    async write(samples) {
      if (samples.length > 0) await send(lame.encode([samples]));
    },
    async end() {
      await send(lame.finalize());
    },
    close() {
      if (closed) return;
      closed = true;
      encoders.giveBack('lame', lame);
    },
  };
}
