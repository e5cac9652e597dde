import { sha256Hex } from '../../shared/sha256.ts';
import { VOICE_ID_PREFIX } from '../../shared/schemas/voice-profile.ts';

/**
 * Content-addressed voice ids: derived from the account and what the voice is made of (the clip's
 * SHA-256, or a design's description and settings), so the same clip uploaded twice is the same
 * voice, and two accounts never share an id.
 */
export async function voiceIdFor(accountId: string, content: string): Promise<string> {
  return VOICE_ID_PREFIX + (await sha256Hex(`${accountId}\n${content}`)).slice(0, 24);
}
