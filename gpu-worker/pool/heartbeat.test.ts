import { afterEach, describe, expect, it } from 'vitest';
import { ESPEAK_MODEL_ID } from '../engines/espeak/engine.ts';
import type { ModelInfo } from '../../shared/schemas/catalog.ts';
import type { Logger } from '../log.ts';
import { Scheduler } from '../scheduler.ts';
import { type FakeEdge, startFakeEdge } from './fake-edge.ts';
import { Heartbeats, type HeartbeatOptions, workerLoad } from './heartbeat.ts';
import { RecentMedian } from './recent-median.ts';

const SECRET = 'heartbeat-test-secret-0123456789';
const MODEL: ModelInfo = {
  id: ESPEAK_MODEL_ID,
  engine: 'espeak',
  description: 'test',
  languages: ['en'],
  sample_rate: 22_050,
  capabilities: { streaming: true, clone: 'none', design: 'none', instructions: false, seed: false, deterministic: false, phonemes: false, emphasis: false },
  default_voice: 'en-female',
  voices: [{ id: 'en-female', name: 'Test', gender: 'female', language: 'en' }],
  version: 'espeak-ng@test+worker@test',
};

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function capturingLog(): { log: Logger; entries: Array<{ level: string; message: string; fields: Record<string, unknown> }> } {
  const entries: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  return { entries, log: (level, message, fields = {}) => void entries.push({ level, message, fields }) };
}

async function edge(): Promise<FakeEdge> {
  const fake = await startFakeEdge(SECRET);
  cleanup.push(() => fake.close());
  return fake;
}

function heartbeats(edgeUrl: string, overrides: Partial<HeartbeatOptions> = {}): Heartbeats {
  const scheduler = new Scheduler({ maxActive: 4, maxQueued: 0, queueTimeoutMs: 1_000 });
  const sender = new Heartbeats({
    edgeUrl,
    secret: SECRET,
    intervalMs: 60_000,
    log: () => {},
    member: { worker_id: 'worker-a', url: 'http://127.0.0.1:9100', version: '0.1.0', models: [MODEL], capacity: 4 },
    load: () => ({ ...scheduler.stats, ttfa_ms: null }),
    draining: () => false,
    ...overrides,
  });
  cleanup.push(() => sender.leave());
  return sender;
}

describe('worker heartbeats', () => {
  it('sends the first heartbeat at once, signed, in the shape the edge accepts', async () => {
    const fake = await edge();
    heartbeats(fake.url).start(); // the interval is a minute: only the first beat can arrive
    await expect.poll(() => fake.received.length, { timeout: 2_000 }).toBe(1);
    expect(fake.received[0]!.verdict).toEqual({ ok: true });
    expect(fake.accepted()[0]).toMatchObject({
      worker_id: 'worker-a',
      url: 'http://127.0.0.1:9100',
      models: [{ id: ESPEAK_MODEL_ID }],
      capacity: 4,
      load: { active: 0, queued: 0, ttfa_ms: null },
      draining: false,
      leaving: false,
      interval_ms: 60_000,
    });
  });

  it('repeats every interval, and the load it reports follows the open streams', async () => {
    const fake = await edge();
    const scheduler = new Scheduler({ maxActive: 4, maxQueued: 0, queueTimeoutMs: 1_000 });
    heartbeats(fake.url, { intervalMs: 100, load: () => ({ ...scheduler.stats, ttfa_ms: 42 }) }).start();
    await expect.poll(() => fake.accepted().length).toBeGreaterThanOrEqual(3);

    const release = await scheduler.acquire(new AbortController().signal); // a stream holds a slot
    await expect.poll(() => fake.accepted().at(-1)?.load).toEqual({ active: 1, queued: 0, ttfa_ms: 42 });
    release();
    await expect.poll(() => fake.accepted().at(-1)?.load.active).toBe(0);
  });

  it('reports the slots free for live and for background requests, so the edge can route a job\'s chunks', async () => {
    const fake = await edge();
    const scheduler = new Scheduler({ maxActive: 2, maxQueued: 0, queueTimeoutMs: 1_000 }); // one slot kept for live
    const firstAudio = new RecentMedian();
    firstAudio.record(42);
    heartbeats(fake.url, { intervalMs: 100, load: () => workerLoad(scheduler, firstAudio) }).start();
    await expect.poll(() => fake.accepted().at(-1)?.load).toEqual({ active: 0, queued: 0, free: { live: 2, background: 1 }, ttfa_ms: 42 });
    const release = await scheduler.acquire(new AbortController().signal, 'background');
    await expect.poll(() => fake.accepted().at(-1)?.load).toEqual({ active: 1, queued: 0, free: { live: 1, background: 0 }, ttfa_ms: 42 });
    release();
  });

  it('ends with a leaving heartbeat, after which no more are sent', async () => {
    const fake = await edge();
    const sender = heartbeats(fake.url, { intervalMs: 50, draining: () => true });
    sender.start();
    await expect.poll(() => fake.accepted().length).toBeGreaterThanOrEqual(2);
    await sender.leave();
    const count = fake.received.length;
    expect(fake.accepted().at(-1)).toMatchObject({ draining: true, leaving: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.received.length).toBe(count);
  });

  it('signed with another secret, is refused by the receiver, and the worker logs as an error that the secrets differ', async () => {
    const fake = await edge();
    const { log, entries } = capturingLog();
    heartbeats(fake.url, { secret: 'not-the-shared-secret-at-all', log }).start();
    await expect.poll(() => fake.received.length).toBe(1);
    expect(fake.received[0]!.verdict).toEqual({ ok: false, reason: 'signature does not match' });
    expect(fake.accepted()).toEqual([]);
    await expect.poll(() => entries.find((entry) => entry.level === 'error')?.fields.reason).toMatch(/401/);
    expect(entries.find((entry) => entry.level === 'error')?.message).toMatch(/different WORKER_SECRETs/);
    expect(entries.filter((entry) => entry.level === 'warn')).toEqual([]);
  });

  it('survives an edge that is down or failing: warns once, keeps trying, and recovers', async () => {
    const fake = await edge();
    fake.status = 500;
    const { log, entries } = capturingLog();
    heartbeats(fake.url, { intervalMs: 30, log }).start();
    await expect.poll(() => fake.received.length).toBeGreaterThanOrEqual(5);
    expect(entries.filter((entry) => entry.level === 'warn')).toHaveLength(1);

    fake.status = 204;
    await expect.poll(() => entries.at(-1)?.message).toBe('joined the pool');
  });

  it('waits quietly for an edge that is not listening yet, then joins it', async () => {
    const fake = await edge();
    const url = fake.url;
    await fake.close(); // the worker starts before the edge listens
    const { log, entries } = capturingLog();
    heartbeats(url, { intervalMs: 30, log }).start();
    await expect.poll(() => entries.map((entry) => entry.message)).toContain('waiting for the edge');

    const edgeUp = await startFakeEdge(SECRET, Number(new URL(url).port));
    cleanup.push(() => edgeUp.close());
    await expect.poll(() => entries.at(-1)?.message).toBe('joined the pool');
    expect(entries.filter((entry) => entry.level !== 'info')).toEqual([]);
    expect(entries.filter((entry) => entry.message === 'waiting for the edge')).toHaveLength(1);
  });

  it('does not throw when nothing listens at the edge URL, and warns once its grace is over', async () => {
    const fake = await edge();
    await fake.close(); // a port that refuses connections
    const { log, entries } = capturingLog();
    const sender = heartbeats(fake.url, { intervalMs: 30, joinGraceMs: 0, log });
    sender.start();
    await expect.poll(() => entries.filter((entry) => entry.level === 'warn').length).toBe(1);
    // Beats go on failing; the warning is not repeated within WARN_EVERY_MS.
    await sender.beat();
    await sender.beat();
    const warnings = entries.filter((entry) => entry.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields.reason).toMatch(/ECONNREFUSED|fetch failed/);
  });
});
