import { z } from 'zod';

/**
 * Markup a model could not say as asked (Qwen3-TTS reads text, not phonemes): the stretch was
 * said as its plain text. Every answer says so (a header, the SSE done event, the JSON with
 * timestamps, the socket's chunk reports), never silently.
 */
export const NotHonoredSchema = z
  .object({
    kind: z.enum(['phoneme', 'emphasis']).describe('`phoneme`: a `<phoneme>` or a dictionary\'s phoneme rule, said as its text. `emphasis`: an `<emphasis>`, said plainly.'),
    char_start: z.number().int().nonnegative().describe('Where the stretch is in `input`, in characters (code points): [char_start, char_end).'),
    char_end: z.number().int().nonnegative(),
    text: z.string().describe('The stretch of `input`.'),
  })
  .meta({ id: 'NotHonored' });
export type NotHonored = z.infer<typeof NotHonoredSchema>;

/** The header's value: each stretch as `kind start-end`, comma-separated (`phoneme 12-21, emphasis 30-44`). */
export const notHonoredHeader = (notHonored: readonly NotHonored[]): string =>
  notHonored.map(({ kind, char_start, char_end }) => `${kind} ${char_start}-${char_end}`).join(', ');
