/**
 * Request signing between the edge and the gpu-workers: HMAC-SHA256 with a shared secret over
 * the method, the path, a timestamp and the SHA-256 of the body. The worker refuses a request
 * whose timestamp is outside a short window, or whose signature it has already seen (replay).
 *
 * WebCrypto only, so the same code runs in workerd and Node.
 */
import { sha256Hex, toHex } from '../sha256.ts';

export const SIGNATURE_HEADERS = {
  timestamp: 'x-tts-timestamp',
  signature: 'x-tts-signature',
} as const;

/** How far a request's timestamp may be from the worker's clock, either way. */
export const REPLAY_WINDOW_MS = 30_000;

const encoder = new TextEncoder();

type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const keyCache = new Map<string, Promise<HmacKey>>();
function hmacKey(secret: string): Promise<HmacKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

function canonical(method: string, path: string, timestamp: string, bodyHash: string): Uint8Array {
  return encoder.encode(`${method.toUpperCase()}\n${path}\n${timestamp}\n${bodyHash}`);
}

export interface SignInput {
  method: string;
  /** Path and query, exactly as sent (`/v1/synthesize`). */
  path: string;
  body?: Uint8Array;
  now?: number;
}

export async function signRequest(secret: string, input: SignInput): Promise<Record<string, string>> {
  const timestamp = String(input.now ?? Date.now());
  const bodyHash = await sha256Hex(input.body ?? new Uint8Array());
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), canonical(input.method, input.path, timestamp, bodyHash));
  return { [SIGNATURE_HEADERS.timestamp]: timestamp, [SIGNATURE_HEADERS.signature]: toHex(mac) };
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Remembers signatures seen within the replay window, so one signed request is served once. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /** Returns false if the signature was already used; records it otherwise. */
  claim(signature: string, now: number): boolean {
    for (const [sig, expires] of this.seen) {
      if (expires > now) break; // insertion order is expiry order
      this.seen.delete(sig);
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, now + 2 * REPLAY_WINDOW_MS);
    return true;
  }
}

export async function verifyRequest(
  secret: string,
  input: { method: string; path: string; body: Uint8Array; headers: Record<string, string | undefined> },
  replay: ReplayGuard,
  now = Date.now(),
): Promise<VerifyResult> {
  const timestamp = input.headers[SIGNATURE_HEADERS.timestamp];
  const signature = input.headers[SIGNATURE_HEADERS.signature];
  if (!timestamp || !signature) return { ok: false, reason: 'request is not signed' };
  const time = Number(timestamp);
  if (!Number.isFinite(time) || Math.abs(now - time) > REPLAY_WINDOW_MS) {
    return { ok: false, reason: 'request timestamp is outside the replay window' };
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'malformed signature' };
  const mac = new Uint8Array(signature.match(/../g)!.map((pair) => parseInt(pair, 16)));
  const bodyHash = await sha256Hex(input.body);
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret),
    mac,
    canonical(input.method, input.path, timestamp, bodyHash),
  );
  if (!valid) return { ok: false, reason: 'signature does not match' };
  if (!replay.claim(signature, now)) return { ok: false, reason: 'request was already used (replay)' };
  return { ok: true };
}
