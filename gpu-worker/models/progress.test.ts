import { describe, expect, it } from 'vitest';
import { createProgressRenderer, formatBytes, formatDuration, formatRate, progressLine, type RendererOptions } from './progress.ts';

const MiB = 1024 * 1024;

describe('progress formatting', () => {
  it('bytes in binary units, one decimal below 100', () => {
    expect([0, 1023, 1024, 1536, 10 * MiB + 512 * 1024, 150 * MiB, 1.5 * 1024 * MiB].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '10.5 MiB',
      '150 MiB',
      '1.5 GiB',
    ]);
  });

  it('durations as seconds, minutes or hours, and -- while unknown', () => {
    expect([0, 45.4, 185, 7620, Number.NaN, Number.POSITIVE_INFINITY].map(formatDuration)).toEqual(['0s', '45s', '3m05s', '2h07m', '--', '--']);
  });

  it('a rate, or --/s before any', () => {
    expect([2 * MiB, 0, Number.NaN].map(formatRate)).toEqual(['2.0 MiB/s', '--/s', '--/s']);
  });

  it('a line under way with percent, rate and time left; a finished one with its time and mean rate', () => {
    expect(progressLine({ file: 'talker.onnx', done: 25 * MiB, total: 100 * MiB }, 5 * MiB, 5)).toBe(
      'talker.onnx  25.0 MiB / 100 MiB  25%  5.0 MiB/s  15s left',
    );
    expect(progressLine({ file: 'talker.onnx', done: 0, total: 100 * MiB }, 0, 0)).toBe('talker.onnx  0 B / 100 MiB  0%  --/s  -- left');
    expect(progressLine({ file: 'talker.onnx', done: 100 * MiB, total: 100 * MiB }, 4 * MiB, 25)).toBe('talker.onnx  100 MiB in 25s (4.0 MiB/s)');
  });
});

/** A renderer on a clock the test moves, writing into `out`. */
function renderer(options: Partial<RendererOptions> & Pick<RendererOptions, 'tty'>) {
  const clock = { now: 0 };
  const out: string[] = [];
  const shown = createProgressRenderer({ write: (text) => out.push(text), now: () => clock.now, ...options });
  return { clock, out, shown };
}

describe('progress renderer, not on a terminal', () => {
  it('a line each further 10 %, never within 5 s of the last, and one when the file is done', () => {
    const { clock, out, shown } = renderer({ tty: false });
    const total = 100 * MiB;
    // 1 MiB every 100 ms: 10 MiB a second, the file in 10 s.
    for (let done = 0; done <= total; done += MiB, clock.now += 100) shown.update({ file: 'a.onnx', done, total });
    expect(out).toEqual([
      'a.onnx  50.0 MiB / 100 MiB  50%  10.0 MiB/s  5s left\n',
      'a.onnx  100 MiB in 10s (10.0 MiB/s)\n',
    ]);
  });

  it('a slow download, short of the next 10 %, still gets a line after 30 s of quiet', () => {
    const { clock, out, shown } = renderer({ tty: false });
    const total = 1000 * MiB;
    // 100 KiB a second: 10 % takes 1024 s.
    for (let second = 1; second <= 120; second++) {
      clock.now = second * 1000;
      shown.update({ file: 'big.onnx', done: second * 100 * 1024, total });
    }
    expect(out.map((line) => line.split('  ')[1])).toEqual(['3.0 MiB / 1000 MiB', '6.0 MiB / 1000 MiB', '8.9 MiB / 1000 MiB']);
  });

  it('counts a resumed file\'s rate from where it started, and sums what was downloaded', () => {
    const { clock, out, shown } = renderer({ tty: false });
    shown.update({ file: 'b.onnx', done: 60 * MiB, total: 100 * MiB });
    clock.now = 4000;
    shown.update({ file: 'b.onnx', done: 100 * MiB, total: 100 * MiB });
    expect(out).toEqual(['b.onnx  100 MiB in 4s (10.0 MiB/s)\n']);
    expect(shown.summary()).toBe('downloaded 40.0 MiB in 4s (10.0 MiB/s)');
  });
});

describe('progress renderer, on a terminal', () => {
  it('redraws one line in place at most every 100 ms, ends it when the file is done, and clears it for a message', () => {
    const { clock, out, shown } = renderer({ tty: true });
    shown.update({ file: 'c.onnx', done: 0, total: 4 * MiB });
    clock.now = 50;
    shown.update({ file: 'c.onnx', done: MiB, total: 4 * MiB });
    clock.now = 1000;
    shown.update({ file: 'c.onnx', done: 2 * MiB, total: 4 * MiB });
    shown.log('c.onnx: resuming at 2097152 of 4194304 bytes');
    clock.now = 2000;
    shown.update({ file: 'c.onnx', done: 4 * MiB, total: 4 * MiB });
    expect(out).toEqual([
      '\rc.onnx  2.0 MiB / 4.0 MiB  50%  2.0 MiB/s  1s left\x1b[K',
      '\r\x1b[Kc.onnx: resuming at 2097152 of 4194304 bytes\n',
      '\rc.onnx  4.0 MiB in 2s (2.0 MiB/s)\x1b[K\n',
    ]);
  });

  it('cuts a line to the terminal width, so that it does not wrap', () => {
    const { clock, out, shown } = renderer({ tty: true, columns: 20 });
    shown.update({ file: 'a-long-file-name.onnx', done: 0, total: MiB });
    clock.now = 500;
    shown.update({ file: 'a-long-file-name.onnx', done: 1024, total: MiB });
    expect(out).toEqual(['\ra-long-file-name.on\x1b[K']);
  });

  it('ends a line under way on close, so a failure prints below it', () => {
    const { clock, out, shown } = renderer({ tty: true });
    shown.update({ file: 'd.onnx', done: 0, total: MiB });
    clock.now = 500;
    shown.update({ file: 'd.onnx', done: 1024, total: MiB });
    shown.close();
    expect(out.at(-1)).toBe('\n');
  });
});
