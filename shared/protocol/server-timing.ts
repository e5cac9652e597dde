/** A `Server-Timing` header (W3C Server Timing) holding named durations in milliseconds. */
export type Timings = Record<string, number>;

export function formatServerTiming(timings: Timings): string {
  return Object.entries(timings)
    .map(([name, ms]) => `${name};dur=${Math.round(ms * 10) / 10}`)
    .join(', ');
}

/** Reads the durations of a `Server-Timing` header; entries without a duration are skipped. */
export function parseServerTiming(header: string | null): Timings {
  const timings: Timings = {};
  for (const entry of (header ?? '').split(',')) {
    const [name, ...params] = entry.trim().split(';');
    const duration = params.map((p) => p.trim()).find((p) => p.startsWith('dur='));
    const ms = duration ? Number(duration.slice(4)) : NaN;
    if (name && Number.isFinite(ms)) timings[name] = ms;
  }
  return timings;
}
