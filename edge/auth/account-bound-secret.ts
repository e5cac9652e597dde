/**
 * Secrets that name their account: `<prefix><account id>.<48 hex digits><16 hex digits>`. The
 * account id routes the secret to the account's Durable Object, which keeps only the SHA-256 of
 * the part after the dot, so checking one needs no index lookup (KV, D1) before the object. Used
 * by socket tickets (`wst_`) and client tokens (`tkn_`).
 *
 * The last 16 digits are a MAC of the rest, with a key derived from the edge's WORKER_SECRET: a
 * made-up secret naming any account id is refused here, before it can make the edge open (and so
 * create) that id's object. 192 random bits: a fast hash is enough (no dictionary to guess from).
 */
import { sha256Hex, toHex } from '../../shared/sha256.ts';

export interface AccountBoundSecret {
  accountId: string;
  /** SHA-256 of the part after the dot, hex: what the account's object stores and looks up. */
  hash: string;
}

const RANDOM_BYTES = 24;
const MAC_HEX_DIGITS = 16;
/** What follows the prefix: the account id, the random part, its MAC. */
const SHAPE = new RegExp(`^(acct_[0-9a-f]+)\\.([0-9a-f]{${RANDOM_BYTES * 2}})([0-9a-f]{${MAC_HEX_DIGITS}})$`);
/** Derived once per isolate and WORKER_SECRET; its own purpose, so it signs nothing else. */
const signingKeys = new Map<string, Promise<CryptoKey>>();

function signingKey(edgeSecret: string): Promise<CryptoKey> {
  let key = signingKeys.get(edgeSecret);
  if (!key) {
    const encoder = new TextEncoder();
    key = crypto.subtle
      .importKey('raw', encoder.encode(edgeSecret), 'HKDF', false, ['deriveKey'])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('open-tts account-bound secrets v1') },
          material,
          { name: 'HMAC', hash: 'SHA-256', length: 256 },
          false,
          ['sign'],
        ),
      );
    signingKeys.set(edgeSecret, key);
  }
  return key;
}

async function macOf(edgeSecret: string, signed: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await signingKey(edgeSecret), new TextEncoder().encode(signed));
  return toHex(signature).slice(0, MAC_HEX_DIGITS);
}

/** Compares in time that does not depend on where the strings differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** A new secret for an account, and its hash. `edgeSecret`: the edge's WORKER_SECRET. */
export async function newAccountBoundSecret(prefix: string, accountId: string, edgeSecret: string): Promise<AccountBoundSecret & { secret: string }> {
  const random = toHex(crypto.getRandomValues(new Uint8Array(RANDOM_BYTES)).buffer);
  const opaque = random + (await macOf(edgeSecret, `${prefix}${accountId}.${random}`));
  return { secret: `${prefix}${accountId}.${opaque}`, accountId, hash: await sha256Hex(opaque) };
}

/** The account and hash of a secret with this prefix that this edge made; null otherwise (refused without any lookup). */
export async function readAccountBoundSecret(prefix: string, value: string, edgeSecret: string): Promise<AccountBoundSecret | null> {
  if (!value.startsWith(prefix)) return null;
  const match = SHAPE.exec(value.slice(prefix.length));
  if (!match) return null;
  const [, accountId, random, mac] = match as unknown as [string, string, string, string];
  if (!sameText(mac, await macOf(edgeSecret, `${prefix}${accountId}.${random}`))) return null;
  return { accountId, hash: await sha256Hex(random + mac) };
}
