/**
 * The realtime socket (docs/realtime.md) against HTTP, on a real stack (a gpu-worker with espeak,
 * the edge in workerd through Miniflare, both on loopback):
 *
 * (a) time to first audio for the same sentence: over an already open and configured socket, from
 *     sending `text` + `flush` on a fresh context to its first `audio` message; over HTTP, from
 *     sending POST /v1/audio/speech to the first body byte. pcm, 24 kHz, interleaved.
 * (b) client messages one edge isolate handles per second on one socket, three workloads, each
 *     sent as fast as the client can and timed until the reply that proves all were handled
 *     (a socket's messages are handled in order).
 *
 *   npm run bench:realtime -- [--requests 20] [--messages 10000] [--text "..."]   (--help: every option)
 */
import { WebSocket } from 'undici';
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { isType, RealtimeClient } from '../test/harness/realtime-client.ts';
import { benchArgs } from './options.ts';
import { percentile, timed } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:realtime --',
  summary: 'Time to first audio over the realtime socket against HTTP, and the client messages per second one edge isolate handles on a socket.',
  options: {
    requests: { type: 'string', default: '20', smoke: '1', description: 'sentences each way (socket, HTTP, SSE), after 3 warm-ups each' },
    messages: { type: 'string', default: '10000', smoke: '200', description: 'messages per throughput run (a multiple of 20)' },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog.', smoke: 'Hello there.', description: 'the sentence spoken' },
  },
});
const requests = Number(values.requests);
const messages = Number(values.messages);
const text = values.text;

const worker = await startGpuWorker();
const edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });

/** A bare socket for the throughput runs: counts replies by type, no per-message bookkeeping. */
async function openCounted(url: string, key: string) {
  const socket = new WebSocket(new URL('/v1/audio/speech/stream', url.replace(/^http/, 'ws')), { headers: { authorization: `Bearer ${key}` } });
  const counts = new Map<string, number>();
  let waiter: { type: string; count: number; resolve: () => void } | null = null;
  socket.addEventListener('message', (event) => {
    const type = (JSON.parse(event.data as string) as { type: string }).type;
    const count = (counts.get(type) ?? 0) + 1;
    counts.set(type, count);
    if (waiter && waiter.type === type && count >= waiter.count) {
      waiter.resolve();
      waiter = null;
    }
  });
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  const until = (type: string, count: number) =>
    new Promise<void>((resolve) => {
      if ((counts.get(type) ?? 0) >= count) return resolve();
      waiter = { type, count, resolve };
    });
  // Chunks that never dispatch on their own: no worker is involved in (b).
  socket.send(JSON.stringify({ type: 'config', response_format: 'pcm', chunking: { max_characters: 1000, max_delay_ms: 10_000 } }));
  await until('ready', 1);
  return { socket, counts, until };
}

type Counted = Awaited<ReturnType<typeof openCounted>>;

/** Sends `batch` (all at once), waits for the `count`-th reply of `type`; messages per second. */
async function rate(session: Counted, batch: string[], type: string): Promise<number> {
  const replies = batch.filter((message) => message.includes(type === 'error' ? '"bogus"' : '"cancel"')).length;
  const target = (session.counts.get(type) ?? 0) + replies;
  const start = performance.now();
  for (const message of batch) session.socket.send(message);
  await session.until(type, target);
  return batch.length / ((performance.now() - start) / 1000);
}

try {
  const { key } = await edge.createKey();

  // (a) Time to first audio.
  const client = await RealtimeClient.open(edge.url, { key });
  client.send({ type: 'config', response_format: 'pcm', sample_rate: 24_000, language: 'en' });
  await client.waitFor(isType('ready'));
  let contexts = 0;
  const overSocket = async (): Promise<number> => {
    const id = `c${contexts++}`;
    const from = client.received.length;
    const start = performance.now();
    client.send({ type: 'text', text, context_id: id });
    client.send({ type: 'flush', context_id: id });
    const first = await client.waitFor(isType('audio', id), 30_000, from);
    client.send({ type: 'close', context_id: id });
    await client.waitFor(isType('done', id), 30_000, from); // the whole chunk, so runs never overlap
    return first.at - start;
  };
  const overHttp = async (): Promise<number> =>
    (
      await timed(() =>
        edge.fetch('/v1/audio/speech', {
          method: 'POST',
          key,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input: text, language: 'en', response_format: 'pcm', sample_rate: 24_000 }),
        }),
      )
    ).firstByteMs;
  // For reference: HTTP with word timestamps (SSE), the worker's timed-audio path the socket also uses.
  const overSse = async (): Promise<number> => {
    const start = performance.now();
    const response = await edge.fetch('/v1/audio/speech', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: text, language: 'en', response_format: 'pcm', sample_rate: 24_000, stream_format: 'sse' }),
    });
    if (!response.ok) throw new Error(`request failed: ${response.status} ${await response.text()}`);
    const decoder = new TextDecoder();
    let body = '';
    let first = NaN;
    for await (const bytes of response.body!) {
      body += decoder.decode(bytes, { stream: true });
      if (Number.isNaN(first) && body.includes('speech.audio.delta')) first = performance.now() - start;
    }
    return first;
  };
  for (let i = 0; i < 3; i++) {
    await overSocket();
    await overHttp();
    await overSse();
  }
  const ttfa = { socket: [] as number[], http: [] as number[], sse: [] as number[] };
  for (let i = 0; i < requests; i++) {
    ttfa.socket.push(await overSocket());
    ttfa.http.push(await overHttp());
    ttfa.sse.push(await overSse());
  }
  client.close();

  // (b) Messages per second. Each workload runs 3 times on a fresh socket; the best run is kept.
  const noop = JSON.stringify({ type: 'cancel', context_id: 'nobody' });
  const bogus = JSON.stringify({ type: 'bogus' });
  const workloads: Array<{ name: string; what: string; batch: (n: number) => string[]; reply: string }> = [
    {
      name: 'no-op cancel',
      what: `${messages} × cancel of a context that does not exist (parsed, validated, no reply), then 1 invalid message → its error`,
      batch: (n) => [...Array.from({ length: n }, () => noop), bogus],
      reply: 'error',
    },
    {
      name: 'buffered text + cancel',
      what: `${messages / 20} rounds (of 8 contexts in turn): 19 × text " word" (buffered, no boundary, no worker) then cancel → done`,
      batch: (n) =>
        Array.from({ length: n / 20 }, (_, round) => {
          const context_id = `ctx${round % 8}`;
          return [...Array.from({ length: 19 }, () => JSON.stringify({ type: 'text', text: ' word', context_id })), JSON.stringify({ type: 'cancel', context_id })];
        }).flat(),
      reply: 'done',
    },
    {
      name: 'invalid → error each',
      what: `${messages} × invalid message, each answered by an error message; until the last error`,
      batch: (n) => Array.from({ length: n }, () => bogus),
      reply: 'error',
    },
  ];
  const throughput: Array<Record<string, string>> = [];
  for (const workload of workloads) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const session = await openCounted(edge.url, key);
      await rate(session, workload.batch(200), workload.reply); // warm
      runs.push(await rate(session, workload.batch(messages), workload.reply));
      session.socket.close(1000);
    }
    throughput.push({ workload: workload.name, 'messages/s (best of 3)': Math.max(...runs).toFixed(0), 'all runs': runs.map((r) => r.toFixed(0)).join(', ') });
  }
  // The same no-op workload on 4 sockets at once: does the isolate, or one socket, set the pace?
  const sessions = await Promise.all(Array.from({ length: 4 }, () => openCounted(edge.url, key)));
  const batch = [...Array.from({ length: messages }, () => noop), bogus];
  const start = performance.now();
  await Promise.all(sessions.map((session) => rate(session, batch, 'error')));
  const together = (4 * batch.length) / ((performance.now() - start) / 1000);
  for (const session of sessions) session.socket.close(1000);
  throughput.push({ workload: 'no-op cancel, 4 sockets at once', 'messages/s (best of 3)': together.toFixed(0), 'all runs': '1 run, all sockets together' });

  const row = (path: string, list: number[]) => ({ path, 'p50 ms': percentile(list, 50).toFixed(1), 'p90 ms': percentile(list, 90).toFixed(1) });
  console.log(`(a) time to first audio, ${requests} each, interleaved after 3 warm-ups; espeak, pcm 24 kHz, "${text}" (${[...text].length} characters)`);
  console.log('    socket: from sending text + flush on an open, configured socket (a new context each time) to the first audio message');
  console.log('    HTTP:   from sending POST /v1/audio/speech to the first body byte');
  console.log('    SSE:    the same POST with stream_format "sse" (audio with word timestamps), to the first speech.audio.delta event');
  console.table([
    row('socket (text + flush)', ttfa.socket),
    row('HTTP POST /v1/audio/speech', ttfa.http),
    row('HTTP, stream_format sse (for reference)', ttfa.sse),
    {
      path: 'socket / HTTP',
      'p50 ms': (percentile(ttfa.socket, 50) / percentile(ttfa.http, 50)).toFixed(2),
      'p90 ms': (percentile(ttfa.socket, 90) / percentile(ttfa.http, 90)).toFixed(2),
    },
  ]);
  console.log('(b) client messages handled per second by the one edge isolate (workerd via Miniflare), one socket unless said;');
  console.log('    sent as fast as the client can, timed from the first send to the reply that proves all were handled.');
  console.log('    Client and workerd share this machine\'s 2 cores, so these are lower bounds for the isolate.');
  for (const workload of workloads) console.log(`    ${workload.name}: ${workload.what}`);
  console.table(throughput);
} finally {
  await edge.dispose();
  await worker.stop();
}
