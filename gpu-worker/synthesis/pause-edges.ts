import { concatSamples } from '../../shared/audio/pcm.ts';

/**
 * Speech meeting a pause. An engine leaves quiet at a segment's edges (espeak: tens of ms before
 * the first word, a fading tail after the last); a pause should be the time from the last sound to
 * the next, so the quiet on the sides touching a pause is cut, with a short ramp where it is cut
 * so the join does not click.
 *
 * Sound is a 10 ms window (counted from the segment's start) at or above −46 dBFS RMS: the level
 * espeak's word ends use (engines/espeak/word-chunker.ts), so words and pauses agree on it.
 */
const SOUND_RMS = 0.005;
const WINDOW_SECONDS = 0.01;
/** The ramp at a cut: long enough not to click, short enough to leave the sound alone. */
export const FADE_SECONDS = 0.005;

/** Sound windows of one segment's audio, as it comes. */
class SoundWindows {
  readonly window: number;
  private energy = 0;
  /** Samples taken in so far. */
  position = 0;
  constructor(sampleRate: number) {
    this.window = Math.round(sampleRate * WINDOW_SECONDS);
  }
  /** Takes `audio` in; calls `sound(windowEnd)` for each complete window that holds sound. */
  take(audio: Float32Array, sound: (windowEnd: number) => void): void {
    for (const sample of audio) {
      this.energy += sample * sample;
      if (++this.position % this.window === 0) {
        if (Math.sqrt(this.energy / this.window) >= SOUND_RMS) sound(this.position);
        this.energy = 0;
      }
    }
  }
  /** Whether the window still open at the end holds sound. */
  partialIsSound(): boolean {
    const partial = this.position % this.window;
    return partial > 0 && Math.sqrt(this.energy / partial) >= SOUND_RMS;
  }
}

/** A raised-cosine ramp over the first (`in`) or last (`out`) `length` samples, in place. */
function ramp(audio: Float32Array, length: number, direction: 'in' | 'out'): void {
  const n = Math.min(length, audio.length);
  for (let i = 0; i < n; i++) {
    const gain = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / n);
    if (direction === 'in') audio[i]! *= gain;
    else audio[audio.length - 1 - i]! *= gain;
  }
}

/**
 * The speech before a pause: its audio passes on up to where its sound could end, the rest is
 * held until the segment ends, then the quiet after its last sound is cut to at most one ramp.
 */
export class SoundEnd {
  private readonly windows: SoundWindows;
  private readonly fade: number;
  private held: Float32Array[] = [];
  /** Samples passed on so far, and where the last sound window ends. */
  private passed = 0;
  private soundEnd = 0;

  constructor(sampleRate: number) {
    this.windows = new SoundWindows(sampleRate);
    this.fade = Math.round(sampleRate * FADE_SECONDS);
  }

  /** Returns the audio now sure to be kept whole: up to one ramp before the last sound so far. */
  push(audio: Float32Array): Float32Array {
    this.windows.take(audio, (windowEnd) => (this.soundEnd = windowEnd));
    this.held.push(audio);
    const sure = this.soundEnd - this.fade - this.passed;
    if (sure <= 0) return new Float32Array(0);
    const all = concatSamples(this.held);
    this.held = [all.subarray(sure)];
    this.passed += sure;
    return all.subarray(0, sure);
  }

  /**
   * The segment is done: what is left up to its last sound and at most one ramp of quiet after,
   * ramped down; `quiet` is how many samples of it follow the sound (they count toward the pause).
   */
  end(): { audio: Float32Array; quiet: number } {
    if (this.windows.partialIsSound()) this.soundEnd = this.windows.position;
    const keptEnd = Math.min(this.windows.position, this.soundEnd + this.fade);
    const audio = concatSamples(this.held).slice(0, Math.max(0, keptEnd - this.passed));
    this.held = [];
    ramp(audio, this.fade, 'out');
    return { audio, quiet: keptEnd - this.soundEnd };
  }
}

/**
 * The speech after a pause: its audio is held until its first sound, then passes on from one ramp
 * before it (ramped up; padded with silence where the sound starts sooner), so that the pause before
 * can count on exactly one ramp of quiet here. `shift` is what to add to the segment's sample
 * positions once its start is known.
 */
export class SoundStart {
  private readonly windows: SoundWindows;
  private readonly fade: number;
  private held: Float32Array[] | undefined = [];
  private soundStart: number | undefined;
  shift = 0;

  constructor(sampleRate: number) {
    this.windows = new SoundWindows(sampleRate);
    this.fade = Math.round(sampleRate * FADE_SECONDS);
  }

  /** True once the first sound was found (and `shift` holds). */
  get started(): boolean {
    return this.held === undefined;
  }

  push(audio: Float32Array): Float32Array {
    if (!this.held) return audio;
    this.windows.take(audio, (windowEnd) => (this.soundStart ??= windowEnd - this.windows.window));
    this.held.push(audio);
    return this.soundStart === undefined ? new Float32Array(0) : this.release(this.soundStart);
  }

  /** The segment is done: from its first sound if the last (partial) window holds it, else its quiet as it was. */
  end(): Float32Array {
    if (!this.held) return new Float32Array(0);
    if (this.windows.partialIsSound()) return this.release(this.windows.position - (this.windows.position % this.windows.window));
    const rest = concatSamples(this.held);
    this.held = undefined;
    return rest;
  }

  /** The held audio from one ramp before `soundStart`, ramped up. */
  private release(soundStart: number): Float32Array {
    const all = concatSamples(this.held!);
    this.held = undefined;
    const from = Math.max(0, soundStart - this.fade);
    const padding = this.fade - (soundStart - from);
    const out = new Float32Array(padding + all.length - from);
    out.set(all.subarray(from), padding);
    ramp(out, this.fade, 'in');
    this.shift = padding - from;
    return out;
  }
}
