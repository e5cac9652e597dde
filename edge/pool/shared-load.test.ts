import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { SharedLoad } from './shared-load.ts';

const never = () => new Promise<string>(() => {});

describe('SharedLoad in one process', () => {
  it('makes one load for requests that ask while it is in flight, and keeps its value', async () => {
    const shared = new SharedLoad<number>(60_000, 60_000);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 42;
    };
    expect(await Promise.all([shared.get(load), shared.get(load), shared.get(load)])).toEqual([42, 42, 42]);
    expect(await shared.get(load)).toBe(42);
    expect(loads).toBe(1);
  });

  it('loads for itself when the load in flight has not settled within its patience', async () => {
    const shared = new SharedLoad<string>(60_000, 50);
    void shared.get(never);
    const started = performance.now();
    // Both waiters give up on the stuck load; only the first starts another, which both share.
    let loads = 0;
    const fresh = async () => `fresh ${++loads}`;
    expect(await Promise.all([shared.get(fresh), shared.get(fresh)])).toEqual(['fresh 1', 'fresh 1']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(await shared.get(never)).toBe('fresh 1');
  });

  it('passes a failure to everyone waiting and does not keep it', async () => {
    const shared = new SharedLoad<string>(60_000, 60_000);
    const failing = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('pool unreachable');
    };
    const results = await Promise.allSettled([shared.get(failing), shared.get(failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await shared.get(async () => 'recovered')).toBe('recovered');
  });

  it('loads again once the value is older than its time to live, or forgotten', async () => {
    const shared = new SharedLoad<number>(30, 60_000);
    let loads = 0;
    const load = async () => ++loads;
    expect(await shared.get(load)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await shared.get(load)).toBe(2);
    shared.forget();
    expect(await shared.get(load)).toBe(3);
  });
});

/**
 * A Worker whose requests answer with a value loaded once from UPSTREAM through SharedLoad; a
 * request to /leave starts the load and answers at once without waiting for it, as a request whose
 * client goes away does (workerd then ends the request, and cancels its I/O).
 */
async function workerScript(patienceMs: number): Promise<string> {
  const contents = `
    import { SharedLoad } from './shared-load.ts';
    const upstream = new SharedLoad(60_000, ${patienceMs});
    export default {
      async fetch(request, env) {
        const value = upstream.get(() => fetch(env.UPSTREAM).then((response) => response.text()));
        if (new URL(request.url).pathname === '/leave') return new Response('left');
        return new Response(await value);
      },
    };`;
  const result = await build({
    stdin: { contents, resolveDir: new URL('.', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('SharedLoad in workerd', () => {
  it('a request whose shared load was started by a request that went away still gets an answer', async () => {
    // The upstream holds its first request (and says when workerd drops it); later ones get "fresh".
    const held: ServerResponse[] = [];
    let firstArrived!: () => void;
    let firstDropped!: () => void;
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    const dropped = new Promise<void>((resolve) => (firstDropped = resolve));
    const upstream = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (held.length === 0) {
        held.push(response);
        response.on('close', () => firstDropped());
        firstArrived();
        return;
      }
      response.end('fresh');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const mf = new Miniflare({
      modules: true,
      script: await workerScript(200),
      bindings: { UPSTREAM: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/` },
      compatibilityDate: '2026-04-01',
    });
    try {
      const url = await mf.ready;
      // Request A starts the load and ends before the upstream answers. workerd cancels A's
      // subrequest, so the promise A started never settles.
      expect(await (await fetch(new URL('/leave', url))).text()).toBe('left');
      await arrived;
      await dropped;
      // Request B finds that load in flight; awaiting it bare would wait forever.
      const second = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      expect(second.status).toBe(200);
      expect(await second.text()).toBe('fresh');
    } finally {
      await mf.dispose();
      for (const response of held) response.destroy();
      upstream.close();
    }
  });
});
