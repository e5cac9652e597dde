import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { endTime, startTime } from 'hono/timing';
import type { AppEnv } from '../env.ts';

/** `Server-Timing: admission`: from the request's arrival until the account's object admitted it. */
export const ADMISSION = 'admission';

export const admissionStarts = createMiddleware<AppEnv>(async (c, next) => {
  startTime(c, ADMISSION, 'Edge: key, limits, credits and request checks');
  await next();
});

/** Ends the admission timer: how long admission took, ms. */
export function endAdmission(c: Context<AppEnv>): number {
  const ms = performance.now() - (c.get('metric')?.timers.get(ADMISSION)?.start ?? performance.now());
  endTime(c, ADMISSION);
  return ms;
}
