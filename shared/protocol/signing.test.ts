import { describe, expect, it } from 'vitest';
import { REPLAY_WINDOW_MS, ReplayGuard, SIGNATURE_HEADERS, signRequest, verifyRequest } from './signing.ts';

const secret = 'a-shared-secret-for-tests';
const body = new TextEncoder().encode('{"input":"hi"}');

async function verify(headers: Record<string, string>, overrides: { path?: string; body?: Uint8Array; now?: number; guard?: ReplayGuard } = {}) {
  return verifyRequest(
    secret,
    { method: 'POST', path: overrides.path ?? '/v1/synthesize', body: overrides.body ?? body, headers },
    overrides.guard ?? new ReplayGuard(),
    overrides.now,
  );
}

describe('request signing', () => {
  it('accepts what it signed, once', async () => {
    const headers = await signRequest(secret, { method: 'POST', path: '/v1/synthesize', body });
    const guard = new ReplayGuard();
    expect(await verify(headers, { guard })).toEqual({ ok: true });
    expect(await verify(headers, { guard })).toMatchObject({ ok: false, reason: expect.stringMatching(/already used/) });
  });

  it('binds the path and the body', async () => {
    const headers = await signRequest(secret, { method: 'POST', path: '/v1/synthesize', body });
    expect(await verify(headers, { path: '/v1/catalog' })).toMatchObject({ ok: false });
    expect(await verify(headers, { body: new TextEncoder().encode('{"input":"bye"}') })).toMatchObject({ ok: false });
  });

  it('refuses timestamps outside the window either way', async () => {
    const now = Date.now();
    const headers = await signRequest(secret, { method: 'POST', path: '/v1/synthesize', body, now });
    expect(await verify(headers, { now: now + REPLAY_WINDOW_MS + 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/window/) });
    expect(await verify(headers, { now: now - REPLAY_WINDOW_MS - 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/window/) });
    expect(await verify(headers, { now: now + REPLAY_WINDOW_MS - 1 })).toEqual({ ok: true });
  });

  it('refuses malformed signatures without throwing', async () => {
    const headers = await signRequest(secret, { method: 'POST', path: '/v1/synthesize', body });
    expect(await verify({ ...headers, [SIGNATURE_HEADERS.signature]: 'zz' })).toMatchObject({ ok: false, reason: 'malformed signature' });
  });

  it('forgets signatures once they are past the window', () => {
    const guard = new ReplayGuard();
    expect(guard.claim('sig', 0)).toBe(true);
    expect(guard.claim('sig', REPLAY_WINDOW_MS)).toBe(false);
    expect(guard.claim('other', 3 * REPLAY_WINDOW_MS)).toBe(true);
    expect(guard.claim('sig', 3 * REPLAY_WINDOW_MS)).toBe(true);
  });
});
