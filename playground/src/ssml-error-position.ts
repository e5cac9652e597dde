/**
 * Where in the text box an `invalid_ssml` refusal points: its message ends with the position as
 * `at line L, column C (character N).`, N counting code points from 0. Answers the UTF-16 range
 * of that character (what a textarea's selection counts in), or undefined when the message names
 * no position inside `input`.
 */
export function ssmlErrorRange(message: string, input: string): [start: number, end: number] | undefined {
  const match = /\(character (\d+)\)\.?$/.exec(message);
  if (!match) return undefined;
  const points = [...input];
  const at = Number(match[1]);
  if (at > points.length) return undefined;
  const start = points.slice(0, at).join('').length;
  return [start, start + (points[at]?.length ?? 0)];
}
