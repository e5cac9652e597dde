/**
 * A voice-like test signal: three harmonics of a pitch gliding 110 to 190 Hz, in 250 ms syllables
 * with pauses between. Deterministic, so encoders can be compared byte for byte.
 */
export function speechLike(rate: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    phase += (2 * Math.PI * (150 + 40 * Math.sin(2 * Math.PI * 0.7 * t))) / rate;
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 2 * t)) ** 0.5;
    out[i] = 0.5 * syllable * (0.6 * Math.sin(phase) + 0.3 * Math.sin(2 * phase) + 0.15 * Math.sin(3 * phase));
  }
  return out;
}

/**
 * speechLike with a hiss under it (uniform noise, ±`hiss`, from a fixed seed), as breath and
 * fricatives give real speech: audio dense enough that an encoder aiming at an average bitrate
 * (Opus, AAC) spends what it is allowed rather than what three harmonics need.
 */
export function breathySpeech(rate: number, seconds: number, hiss = 0.05): Float32Array {
  const out = speechLike(rate, seconds);
  let seed = 1;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 16_807) % 2_147_483_647; // Park–Miller
    out[i]! += hiss * (2 * (seed / 2_147_483_647) - 1);
  }
  return out;
}
