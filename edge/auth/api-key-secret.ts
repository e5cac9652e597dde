/**
 * API key secrets: `tts_` followed by 32 random bytes in base64url. Only the SHA-256 of a secret
 * is stored; the secret itself is shown once, when the key is created. A fast hash is enough
 * here because the secret has 256 bits of entropy (no dictionary to guess from).
 */
import { sha256Hex } from '../../shared/sha256.ts';

export const KEY_SECRET_PREFIX = 'tts_';
/** Characters of the secret shown in listings, so a person can tell keys apart. */
export const VISIBLE_PREFIX_LENGTH = 12;

export function generateKeySecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return KEY_SECRET_PREFIX + base64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export const hashKeySecret = (secret: string): Promise<string> => sha256Hex(secret);

export const visiblePrefix = (secret: string) => secret.slice(0, VISIBLE_PREFIX_LENGTH);
