import { z } from 'zod';

/**
 * A voice computed once by an engine (on a GPU where there is one) and stored by the edge in KV,
 * one per model, so any worker can serve the voice without redoing the work. `data` is the
 * engine's own JSON (tensors as base64); only the engine that made it reads it.
 */
export const VoiceProfileSchema = z.object({
  engine: z.string().min(1),
  model: z.string().min(1),
  kind: z.enum(['clone', 'design']),
  data: z.record(z.string(), z.unknown()),
});
export type VoiceProfile = z.infer<typeof VoiceProfileSchema>;

/** Voice ids the API hands out start with this; preset ids never do. */
export const VOICE_ID_PREFIX = 'voice_';
export const isCustomVoiceId = (id: string) => id.startsWith(VOICE_ID_PREFIX);
