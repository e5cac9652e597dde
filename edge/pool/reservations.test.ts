import { describe, expect, it } from 'vitest';
import { Reservations } from './reservations.ts';

describe('reservations: requests on their way to the worker shedding chose', () => {
  it('count on their worker until dispatch takes them, which learns the worker once', () => {
    const reservations = new Reservations(10_000);
    reservations.hold('r1', 'a');
    reservations.hold('r2', 'a');
    reservations.hold('r3', 'b');
    expect([reservations.on('a'), reservations.on('b')]).toEqual([2, 1]);
    expect(reservations.take('r1')).toBe('a');
    expect(reservations.take('r1')).toBeUndefined();
    expect(reservations.on('a')).toBe(1);
  });

  it('a request that ends unsent drops its reservation', () => {
    const reservations = new Reservations(10_000);
    reservations.hold('r1', 'a');
    reservations.drop('r1');
    expect(reservations.on('a')).toBe(0);
    expect(reservations.take('r1')).toBeUndefined();
  });

  it('one left behind lapses after its time', () => {
    let now = 0;
    const reservations = new Reservations(1_000, () => now);
    reservations.hold('r1', 'a');
    now = 999;
    expect(reservations.on('a')).toBe(1);
    now = 1_000;
    expect(reservations.on('a')).toBe(0);
    reservations.hold('r2', 'a');
    now = 2_000;
    expect(reservations.take('r2')).toBeUndefined();
  });
});
