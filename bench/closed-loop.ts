import { type Sample, timed } from './timing.ts';

/** An error and its cause (fetch's "fetch failed" says why only there). */
const describe = (error: unknown): string =>
  error instanceof Error ? `${error.message}${error.cause === undefined ? '' : ` (${describe(error.cause)})`}` : String(error);

/** One request of a load run: its timings, or why it failed. */
export type LoadOutcome = { ok: true; sample: Sample } | { ok: false; error: string };

export interface LoadRun {
  samples: Sample[];
  failed: number;
  /** Wall time of the whole run. */
  seconds: number;
}

/**
 * A closed loop: `concurrency` clients, each sending its next request as soon as its last one's
 * body has been read to the end, until `total` requests were sent (or `until` says stop).
 * `onOutcome` sees each request as it ends (the soak reports from it).
 */
export async function closedLoop(options: {
  total: number;
  concurrency: number;
  send: () => Promise<Response>;
  until?: () => boolean;
  onOutcome?: (outcome: LoadOutcome) => void;
}): Promise<LoadRun> {
  const { total, concurrency, send, until, onOutcome } = options;
  const samples: Sample[] = [];
  let started = 0;
  let failed = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total && !until?.()) {
        started++;
        let outcome: LoadOutcome;
        try {
          outcome = { ok: true, sample: await timed(send) };
          samples.push(outcome.sample);
        } catch (error) {
          failed++;
          outcome = { ok: false, error: describe(error) };
        }
        onOutcome?.(outcome);
      }
    }),
  );
  return { samples, failed, seconds: (performance.now() - begin) / 1000 };
}
