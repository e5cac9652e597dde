/**
 * Where the edge's CPU goes under load: runs speech requests through the edge (the test harness,
 * one gpu-worker) at a fixed concurrency while V8's sampling profiler records the edge's isolate
 * through workerd's inspector, then prints the functions with the most self time and the share
 * of the run the isolate was busy. The whole profile is written for DevTools (Performance tab,
 * "Load profile") to `test-output/edge-<concurrency>.cpuprofile`.
 *
 * Read its self times as where the isolate's *time* went, not its CPU: workerd leaves V8 charging
 * the time it waits (on I/O, on other isolates of the process) to the last native function the
 * isolate called (a pass-through Worker's `fetch` "takes" half of each request), and to
 * `(program)`. For CPU per request, `npm run bench:edge-cpu` (the process's CPU time, variant by
 * variant) is the measure.
 *
 *   npm run bench:edge-profile -- [--concurrency 4] [--requests 200] [--format pcm] [--top 25]   (--help: every option)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { closedLoop } from './closed-loop.ts';
import { benchArgs } from './options.ts';
import { percentile } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:edge-profile --',
  summary: "Where the edge's CPU goes under load: V8's sampling profiler on the edge's isolate while speech runs, top functions by self time.",
  options: {
    concurrency: { type: 'string', default: '4', smoke: '2', description: 'requests in flight' },
    requests: { type: 'string', default: '200', smoke: '6', description: 'requests while the profiler records' },
    format: { type: 'string', default: 'pcm', description: 'response format' },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog. It was not amused, and said so at length.', smoke: 'Hello there.', description: 'what each request says' },
    top: { type: 'string', default: '25', smoke: '5', description: 'functions shown' },
    'inspector-port': { type: 'string', default: '9329', description: "workerd's inspector port" },
  },
});
const concurrency = Number(values.concurrency);
const inspectorPort = Number(values['inspector-port']);
const OUTPUT = new URL('../test-output/', import.meta.url).pathname;
/** The edge's service in workerd's inspector: the harness's first worker, which it leaves unnamed. */
const EDGE_TARGET = 'core:user:';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A DevTools protocol session with one inspector target. */
async function devtools(targetUrl: string) {
  const socket = new WebSocket(targetUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let next = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    if (message.error) throw new Error(message.error.message);
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = next++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve as (result: unknown) => void));
    },
    close: () => socket.close(),
  };
}

const worker = await startGpuWorker();
const edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, inspectorPort });
try {
  const { key } = await edge.createKey();
  const body = JSON.stringify({ input: values.text, language: 'en', response_format: values.format });
  const send = () => edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body });
  await closedLoop({ total: concurrency * 4, concurrency, send }); // warm up

  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Array<{ id: string; title: string; webSocketDebuggerUrl: string }>;
  const target = targets.find((t) => t.title.endsWith(EDGE_TARGET));
  if (!target) throw new Error(`no inspector target for ${EDGE_TARGET}: ${targets.map((t) => t.title).join(', ')}`);
  const session = await devtools(target.webSocketDebuggerUrl.replace('localhost', '127.0.0.1'));
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  const run = await closedLoop({ total: Number(values.requests), concurrency, send });
  const { profile } = await session.send<{ profile: CpuProfile }>('Profiler.stop');
  session.close();

  mkdirSync(OUTPUT, { recursive: true });
  const file = join(OUTPUT, `edge-${concurrency}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));

  // Self time per node from the samples (each sample's delta goes to the node it hit).
  const selfUs = new Map<number, number>();
  profile.samples.forEach((node, i) => selfUs.set(node, (selfUs.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  let idleUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') idleUs += functionName === '(idle)' ? us : 0;
    const where = url ? `${url.split('/').pop()}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const totalUs = profile.endTime - profile.startTime;
  const busyUs = totalUs - idleUs;
  const ttfb = run.samples.map((s) => s.firstByteMs);
  console.log(
    `${run.samples.length} requests at ${concurrency} in flight in ${run.seconds.toFixed(1)} s (${run.failed} failed); ttfb p50 ${percentile(ttfb, 50).toFixed(1)} ms, p99 ${percentile(ttfb, 99).toFixed(1)} ms`,
  );
  console.log(`edge isolate busy ${(busyUs / 1000).toFixed(0)} ms of ${(totalUs / 1000).toFixed(0)} ms (${((100 * busyUs) / totalUs).toFixed(1)}%), ${(busyUs / 1000 / run.samples.length).toFixed(2)} ms a request`);
  console.table(
    [...byFunction]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(values.top))
      .map(([name, us]) => ({ function: name, 'self ms': (us / 1000).toFixed(1), '% of busy': ((100 * us) / busyUs).toFixed(1), 'ms a request': (us / 1000 / run.samples.length).toFixed(3) })),
  );
  console.log(`profile: ${file}`);
} finally {
  await edge.dispose();
  await worker.stop();
}
