/**
 * The CPU time the operating system charged a local edge's workerd process (`/proc/<pid>/stat`,
 * user + system, every thread): what the machine really spent, where workerd's V8 profiler samples
 * wall time. It counts in the kernel's clock ticks (10 ms), so a figure per request is a sum over
 * many requests divided by their number.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The clock `/proc/<pid>/stat` counts CPU time in (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** The workerd processes that are children of this one. */
function workerdPids(): Set<number> {
  const pids = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [name, rest] = [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), stat.slice(stat.lastIndexOf(')') + 2).split(' ')];
      if (name === 'workerd' && Number(rest[1]) === process.pid) pids.add(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

/** CPU time the process has used, ms (user + system, all its threads). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Starts something that runs one workerd process, and says which. */
export async function withPid<T>(start: () => Promise<T>): Promise<{ started: T; pid: number }> {
  const before = workerdPids();
  const started = await start();
  const pid = [...workerdPids()].find((p) => !before.has(p));
  if (pid === undefined) throw new Error('no new workerd process');
  return { started, pid };
}
