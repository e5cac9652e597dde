import { expect } from 'vitest';
import type { CharacterAlignment } from '../edge/dialects/elevenlabs/speech/alignment.ts';

/**
 * What every ElevenLabs character alignment of `text` must be, whatever carries it: every
 * character once, in order (joined, the text), starts never decreasing, each end at or after its
 * start, all inside `audioSeconds` of audio.
 */
export function expectWellFormedAlignment(alignment: CharacterAlignment, text: string, audioSeconds: number): void {
  const { characters, character_start_times_seconds: starts, character_end_times_seconds: ends } = alignment;
  expect(characters.join('')).toBe(text);
  expect(starts).toHaveLength(characters.length);
  expect(ends).toHaveLength(characters.length);
  characters.forEach((character, i) => {
    const what = `${i} ${JSON.stringify(character)}: ${starts[i]}-${ends[i]}`;
    expect(starts[i]!, what).toBeGreaterThanOrEqual(i === 0 ? 0 : starts[i - 1]!);
    expect(ends[i]!, what).toBeGreaterThanOrEqual(starts[i]!);
    // Times are whole milliseconds.
    expect(ends[i]!, what).toBeLessThanOrEqual(audioSeconds + 0.001);
  });
}
