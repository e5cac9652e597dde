/**
 * API key secrets: `tts_` followed by 32 random bytes in base64url. Only the SHA-256 of a secret
 * is stored; the secret itself is shown once, when the key is created. A fast hash is enough
 * here because the secret has 256 bits of entropy (no dictionary to guess from).
 */
export const KEY_SECRET_PREFIX = 'tts_';
/** Characters of the secret shown in listings, so a person can tell keys apart. */
export const VISIBLE_PREFIX_LENGTH = 12;

export function generateKeySecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return KEY_SECRET_PREFIX + base64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export async function hashKeySecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export const visiblePrefix = (secret: string) => secret.slice(0, VISIBLE_PREFIX_LENGTH);
