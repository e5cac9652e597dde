import { describe, expect, it } from 'vitest';
import { AdmissionForecast } from './admission-forecast.ts';
import type { Admission } from './types.ts';

const bucket = (remaining: number) => ({ limit: 1_000, remaining, resetSeconds: 0 });
const admitted = (over: Partial<Extract<Admission, { ok: true }>> = {}): Admission => ({
  ok: true,
  key_id: 'key_1',
  reserved: 10,
  lease_expires_ms: 0,
  balance: 1_000,
  requests: bucket(100),
  characters: bucket(1_000),
  streams: { limit: 4, active: 1 },
  ...over,
});

describe('admission forecast', () => {
  it('forecasts nothing for a credential it has not seen admitted', () => {
    expect(new AdmissionForecast().likely('key:a', 10)).toBe(false);
  });

  it('forecasts admission while the last standing leaves room, and counts the requests it forecast', () => {
    const forecast = new AdmissionForecast();
    forecast.record('key:a', admitted({ streams: { limit: 4, active: 1 } }), 0);
    // Three stream slots were free: three overlapping requests fit, the fourth may not.
    expect([1, 2, 3, 4].map(() => forecast.likely('key:a', 10, 1))).toEqual([true, true, true, false]);
    // The next answer is the new standing: forecasts start again from it.
    forecast.record('key:a', admitted({ streams: { limit: 4, active: 0 } }), 2);
    expect(forecast.likely('key:a', 10, 3)).toBe(true);
  });

  it.each([
    ['credits', { balance: 50 }],
    ['the character bucket', { characters: bucket(50) }],
    ['the request bucket', { requests: bucket(0) }],
    ['stream slots', { streams: { limit: 2, active: 2 } }],
    ["the token's characters", { token: { characters_remaining: 50, requests_remaining: null } }],
    ["the token's requests", { token: { characters_remaining: null, requests_remaining: 0 } }],
  ])('forecasts no admission when %s would not cover the request', (_, over) => {
    const forecast = new AdmissionForecast();
    forecast.record('key:a', admitted(over), 0);
    expect(forecast.likely('key:a', 100, 1)).toBe(false);
  });

  it('after a refusal, forecasts nothing until an admission succeeds again', () => {
    const forecast = new AdmissionForecast();
    forecast.record('key:a', admitted(), 0);
    forecast.record('key:a', { ok: false, reason: 'key_revoked' }, 1);
    expect(forecast.likely('key:a', 10, 2)).toBe(false);
    forecast.record('key:a', admitted(), 3);
    expect(forecast.likely('key:a', 10, 4)).toBe(true);
  });

  it('trusts a standing for half a minute only', () => {
    const forecast = new AdmissionForecast();
    forecast.record('key:a', admitted(), 0);
    expect(forecast.likely('key:a', 10, 30_000)).toBe(true);
    expect(forecast.likely('key:a', 10, 30_001)).toBe(false);
  });

  it('keeps credentials apart', () => {
    const forecast = new AdmissionForecast();
    forecast.record('key:a', admitted(), 0);
    expect(forecast.likely('token:b', 10, 1)).toBe(false);
  });
});
