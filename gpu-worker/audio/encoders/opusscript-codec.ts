import { CustomAudioEncoder, EncodedPacket, registerEncoder, type AudioCodec, type AudioSample } from 'mediabunny';
import OpusScript from 'opusscript';

/** libopus takes 2.5 to 60 ms frames; 20 ms is its usual trade of latency against overhead. */
const FRAME_SECONDS = 0.02;
/** Ogg Opus counts samples at 48 kHz whatever the input rate (RFC 7845). */
const OPUS_RATE = 48_000;
/**
 * libopus's algorithmic delay in 48 kHz samples (2.5 ms plus 4 ms of delay compensation, the
 * OPUS_GET_LOOKAHEAD of the audio application): the pre-skip that lines the output up with the input.
 */
const PRE_SKIP = 312;

/** OpusHead, the identification header (RFC 7845 §5.1), which mediabunny puts in the first Ogg page. */
function opusHead(sampleRate: number): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode('OpusHead'));
  view.setUint8(8, 1); // version
  view.setUint8(9, 1); // channels
  view.setUint16(10, PRE_SKIP, true);
  view.setUint32(12, sampleRate, true); // the input's rate, for information
  view.setInt16(16, 0, true); // output gain
  view.setUint8(18, 0); // channel mapping family: mono or stereo, no table
  return head;
}

/**
 * libopus (opusscript: libopus 1.4 as WebAssembly, in this thread) as a mediabunny encoder. It
 * cuts the samples into 20 ms frames whatever their chunking, so the packets depend only on the
 * audio. At the end it pads with silence past the codec's delay and makes the last packet's
 * duration say how much of it is real, which the Ogg muxer turns into an end trim in the granule.
 */
class OpusscriptEncoder extends CustomAudioEncoder {
  static override supports(codec: AudioCodec, config: AudioEncoderConfig): boolean {
    return codec === 'opus' && config.numberOfChannels === 1 && (OpusScript.VALID_SAMPLING_RATES as number[]).includes(config.sampleRate);
  }

  private opus: OpusScript | undefined;
  private frame = new Int16Array(0);
  private filled = 0;
  private samplesIn = 0;
  private packetsOut = 0;

  private get frameSize() {
    return this.frame.length;
  }

  init() {
    const rate = this.config.sampleRate as ConstructorParameters<typeof OpusScript>[0]; // `supports` checked it
    this.opus = new OpusScript(rate, 1, OpusScript.Application.AUDIO);
    if (this.config.bitrate) this.opus.setBitrate(this.config.bitrate);
    this.frame = new Int16Array(Math.round(rate * FRAME_SECONDS));
  }

  encode(sample: AudioSample) {
    const samples = new Int16Array(sample.numberOfFrames);
    sample.copyTo(samples, { planeIndex: 0, format: 's16' });
    this.samplesIn += samples.length;
    for (let offset = 0; offset < samples.length; ) {
      const taken = Math.min(this.frameSize - this.filled, samples.length - offset);
      this.frame.set(samples.subarray(offset, offset + taken), this.filled);
      this.filled += taken;
      offset += taken;
      if (this.filled === this.frameSize) this.encodeFrame(FRAME_SECONDS);
    }
  }

  flush() {
    // Enough frames that the decoder, having skipped PRE_SKIP, still has every real sample.
    const delay = (PRE_SKIP * this.config.sampleRate) / OPUS_RATE;
    const frames = Math.ceil((this.samplesIn + delay) / this.frameSize);
    while (this.packetsOut < frames) {
      this.frame.fill(0, this.filled);
      const last = this.packetsOut === frames - 1;
      // The last packet's real part: what is left of input and delay once the earlier frames are out.
      const tail = (this.samplesIn + delay - (frames - 1) * this.frameSize) / this.config.sampleRate;
      this.encodeFrame(last ? tail : FRAME_SECONDS);
    }
    this.filled = 0;
  }

  close() {
    this.opus?.delete();
    this.opus = undefined;
  }

  private encodeFrame(durationSeconds: number) {
    const pcm = Buffer.from(this.frame.buffer, this.frame.byteOffset, this.frame.byteLength);
    // opusscript wants the frame as s16le bytes (this machine's Int16Array layout) and copies it.
    const data = this.opus!.encode(pcm, this.frameSize);
    const first = this.packetsOut === 0;
    const packet = new EncodedPacket(new Uint8Array(data), 'key', this.packetsOut * FRAME_SECONDS, durationSeconds);
    this.packetsOut++;
    this.filled = 0;
    this.onPacket(packet, first ? { decoderConfig: { codec: 'opus', numberOfChannels: 1, sampleRate: this.config.sampleRate, description: opusHead(this.config.sampleRate) } } : undefined);
  }
}

let registered = false;

/** Makes mediabunny encode 'opus' with libopus; once per process. */
export function registerOpusscriptEncoder(): void {
  if (registered) return;
  registered = true;
  registerEncoder(OpusscriptEncoder);
}
