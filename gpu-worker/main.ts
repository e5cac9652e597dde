/**
 * The gpu-worker process: listens at once (probes and /metrics answer, /readyz says 503), loads
 * its engines, then serves signed synthesis requests from the edge; with EDGE_URL set it joins the
 * edge's pool by heartbeats. SIGTERM or SIGINT drains it: no new work, open streams finish (up to
 * DRAIN_GRACE_MS), then it leaves the pool and exits 0.
 * `node gpu-worker/main.ts [--port N] [--host H] [--edge-url URL] [--public-url URL] [--pack DIR]... [--execution-provider cpu|cuda]`
 * with WORKER_SECRET set.
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readConfig, type WorkerConfig } from './config.ts';
import { EspeakEngine } from './engines/espeak/engine.ts';
import { loadQwen3Engine } from './engines/qwen3/index.ts';
import type { Engine } from './engines/types.ts';
import { jsonLogger, type Logger } from './log.ts';
import { createWorkerMetrics, recordModelLoaded, type WorkerMetrics } from './metrics/registry.ts';
import { Heartbeats, workerLoad } from './pool/heartbeat.ts';
import { RecentMedian } from './pool/recent-median.ts';
import { Scheduler } from './scheduler.ts';
import { createWorkerServer } from './server.ts';
import { WORKER_VERSION } from './worker-version.ts';

/** Loads espeak, then each pack in turn, recording how long each took. */
async function loadEngines(config: WorkerConfig, log: Logger, metrics: WorkerMetrics): Promise<Engine[]> {
  const timed = async (load: () => Promise<Engine>): Promise<Engine> => {
    const started = performance.now();
    const engine = await load();
    recordModelLoaded(metrics, engine.info.id, (performance.now() - started) / 1000);
    return engine;
  };
  const engines = [await timed(() => EspeakEngine.load({ threads: config.espeakThreads, urgentThread: true }))];
  for (const pack of config.packs) {
    const options = {
      executionProvider: config.executionProvider,
      ...(config.onnxThreads > 0 ? { intraOpThreads: config.onnxThreads } : {}),
      voiceCacheBytes: config.voiceCacheMb * 1024 * 1024,
      log: (message: string) => log('info', message, { pack }),
    };
    engines.push(await timed(() => loadQwen3Engine(pack, options)));
  }
  return engines;
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2), process.env);
  const log = jsonLogger({ service: 'gpu-worker', worker_id: config.workerId });

  let draining = false;
  const scheduler = new Scheduler({
    maxActive: config.maxStreams,
    maxQueued: config.maxQueued,
    queueTimeoutMs: config.queueTimeoutMs,
    background: config.background,
  });
  const firstAudio = new RecentMedian();
  const metrics = createWorkerMetrics(() => scheduler.byPriority);
  const { server, serve } = createWorkerServer({
    workerId: config.workerId,
    secret: config.secret,
    scheduler,
    log,
    firstAudio,
    metrics,
    isDraining: () => draining,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // Probes and metrics answer while packs load (minutes for a large one): alive, not yet ready.
  log('info', 'loading engines', { url, packs: config.packs });
  const engines = await loadEngines(config, log, metrics);
  log('info', 'engines loaded', { models: engines.map((engine) => engine.info.id) });
  serve(engines);
  // Test harnesses read this line to learn the port: it comes once the worker takes work.
  log('info', 'listening', { url, port });

  let heartbeats: Heartbeats | undefined;
  if (config.edgeUrl) {
    if (!config.publicUrl && (config.host === '0.0.0.0' || config.host === '::')) {
      log('warn', 'the edge cannot reach a wildcard address: set WORKER_PUBLIC_URL', { url });
    }
    heartbeats = new Heartbeats({
      edgeUrl: config.edgeUrl,
      secret: config.secret,
      intervalMs: config.heartbeatMs,
      log,
      member: { worker_id: config.workerId, url: config.publicUrl ?? url, version: WORKER_VERSION, models: engines.map((engine) => engine.info), capacity: config.maxStreams },
      load: () => workerLoad(scheduler, firstAudio),
      draining: () => draining,
    });
    heartbeats.start();
  }

  const drain = async (signal: NodeJS.Signals) => {
    draining = true;
    log('info', 'draining', { signal, ...scheduler.stats, grace_ms: config.drainGraceMs });
    void heartbeats?.beat(); // now, not at the next tick: the edge stops sending work at once
    const finished = await Promise.race([scheduler.idle().then(() => true), sleep(config.drainGraceMs, false, { ref: false })]);
    // Streams cut here fail over on the edge, which resumes them on another worker.
    if (!finished) log('warn', 'drain grace ran out: cutting open streams', scheduler.stats);
    await heartbeats?.leave();
    server.close();
    server.closeAllConnections();
    await Promise.all(engines.map((engine) => engine.close()));
    log('info', 'stopped', { signal });
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      log('warn', 'second signal: exiting without waiting for open streams', { signal, ...scheduler.stats });
      process.exit(1);
    }
    drain(signal).catch((error: unknown) => {
      log('error', 'drain failed', { error: String(error) });
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`gpu-worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
