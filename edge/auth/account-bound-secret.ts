/**
 * Secrets that name their account: `<prefix><account id>.<48 hex digits>`. The account id routes
 * the secret to the account's Durable Object, which keeps only the SHA-256 of the random part, so
 * checking one needs no index lookup (KV, D1) before the object. Used by socket tickets (`wst_`)
 * and client tokens (`tkn_`). 192 random bits: a fast hash is enough (no dictionary to guess from).
 */
import { sha256Hex, toHex } from '../../shared/sha256.ts';

export interface AccountBoundSecret {
  accountId: string;
  /** SHA-256 of the random part, hex: what the account's object stores and looks up. */
  hash: string;
}

/** A new secret for an account, and its hash. */
export async function newAccountBoundSecret(prefix: string, accountId: string): Promise<AccountBoundSecret & { secret: string }> {
  const random = toHex(crypto.getRandomValues(new Uint8Array(24)).buffer);
  return { secret: `${prefix}${accountId}.${random}`, accountId, hash: await sha256Hex(random) };
}

/** The account and hash of a secret with this prefix; null when it is not one (then it is refused without any lookup). */
export async function readAccountBoundSecret(prefix: string, value: string): Promise<AccountBoundSecret | null> {
  if (!value.startsWith(prefix)) return null;
  const match = /^(acct_[0-9a-f]+)\.([0-9a-f]{48})$/.exec(value.slice(prefix.length));
  if (!match) return null;
  return { accountId: match[1]!, hash: await sha256Hex(match[2]!) };
}
