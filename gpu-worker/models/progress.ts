/**
 * What `models pull` shows while it downloads. On a terminal, one line per file, redrawn in place;
 * elsewhere (CI, log files), plain lines: one each further 10 % but at most every few seconds
 * (or after a long quiet stretch, so a slow download still shows life), and one when a file is done.
 */

/** Bytes of one file on disk so far (a resumed file starts above 0), out of its size. */
export interface PullProgress {
  file: string;
  done: number;
  total: number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** `45s`, `3m05s`, `2h07m`; `--` while unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
}

export const formatRate = (bytesPerSecond: number): string =>
  Number.isFinite(bytesPerSecond) && bytesPerSecond > 0 ? `${formatBytes(Math.round(bytesPerSecond))}/s` : '--/s';

/** One file's state, `rate` being bytes a second since its download started. */
export function progressLine(p: PullProgress, rate: number, seconds: number): string {
  if (p.done >= p.total) return `${p.file}  ${formatBytes(p.total)} in ${formatDuration(seconds)} (${formatRate(rate)})`;
  const percent = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 0;
  const left = rate > 0 ? (p.total - p.done) / rate : Number.NaN;
  return `${p.file}  ${formatBytes(p.done)} / ${formatBytes(p.total)}  ${percent}%  ${formatRate(rate)}  ${formatDuration(left)} left`;
}

export interface RendererOptions {
  /** A terminal: redraw one line in place. Otherwise plain lines. */
  tty: boolean;
  write(text: string): void;
  /** Terminal width: a longer line would wrap, and `\r` would redraw only its end. */
  columns?: number;
  now?: () => number;
  /** Plain lines: the least time between two lines of one file. */
  minGapMs?: number;
  /** Plain lines: a line after this long without one, even short of the next 10 %. */
  quietMs?: number;
  /** Terminal: the least time between two redraws. */
  redrawMs?: number;
}

export interface ProgressRenderer {
  update(progress: PullProgress): void;
  /** A message line (clearing a line being redrawn first). */
  log(message: string): void;
  /** Ends a line being redrawn where it stands (a failure's message goes below it). */
  close(): void;
  /** Everything downloaded so far: bytes, time and mean rate. */
  summary(): string;
}

interface FileState {
  started: number;
  /** Bytes already there when this download started: they do not count toward the rate. */
  from: number;
  done: number;
  /** When the last line was shown (or the download started), and at which tenth. */
  shown: number;
  shownStep: number;
}

export function createProgressRenderer(options: RendererOptions): ProgressRenderer {
  const now = options.now ?? (() => performance.now());
  const { tty, write } = options;
  const minGapMs = options.minGapMs ?? 5_000;
  const quietMs = options.quietMs ?? 30_000;
  const redrawMs = options.redrawMs ?? 100;
  const files = new Map<string, FileState>();
  let firstStart: number | undefined;
  let transferred = 0;
  let live = false; // a terminal line is being redrawn

  const fit = (line: string) => (options.columns && line.length >= options.columns ? line.slice(0, options.columns - 1) : line);

  function update(p: PullProgress): void {
    const t = now();
    firstStart ??= t;
    const step = Math.floor((p.done / (p.total || 1)) * 10);
    let state = files.get(p.file);
    // A new file, or one whose partial download was thrown away: its rate starts again.
    if (!state || p.done < state.done) {
      state = { started: t, from: p.done, done: p.done, shown: t, shownStep: step };
      files.set(p.file, state);
    }
    transferred += p.done - state.done;
    state.done = p.done;
    const finished = p.done >= p.total;
    const elapsed = t - state.started;
    const due = tty
      ? t - state.shown >= redrawMs
      : t - state.shown >= minGapMs && (step > state.shownStep || t - state.shown >= quietMs);
    if (!finished && !due) return;
    state.shown = t;
    state.shownStep = step;
    const line = fit(progressLine(p, elapsed > 0 ? ((p.done - state.from) * 1000) / elapsed : 0, elapsed / 1000));
    if (tty) write(`\r${line}\x1b[K${finished ? '\n' : ''}`);
    else write(`${line}\n`);
    live = tty && !finished;
    if (finished) files.delete(p.file);
  }

  return {
    update,
    log(message) {
      write(`${live ? '\r\x1b[K' : ''}${message}\n`);
      live = false;
    },
    close() {
      if (live) write('\n');
      live = false;
    },
    summary() {
      const seconds = firstStart === undefined ? 0 : (now() - firstStart) / 1000;
      return `downloaded ${formatBytes(transferred)} in ${formatDuration(seconds)} (${formatRate(seconds > 0 ? transferred / seconds : 0)})`;
    },
  };
}
