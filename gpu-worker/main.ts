/**
 * The gpu-worker process: loads its engines, then serves signed synthesis requests from the
 * edge. `node gpu-worker/main.ts [--port N] [--host H] [--pack DIR]... [--execution-provider cpu|cuda]`
 * with WORKER_SECRET set.
 */
import type { AddressInfo } from 'node:net';
import { readConfig } from './config.ts';
import { EspeakEngine } from './engines/espeak/engine.ts';
import { loadQwen3Engine } from './engines/qwen3/index.ts';
import type { Engine } from './engines/types.ts';
import { jsonLogger } from './log.ts';
import { Scheduler } from './scheduler.ts';
import { createWorkerServer } from './server.ts';

const DRAIN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2), process.env);
  const log = jsonLogger({ service: 'gpu-worker', worker_id: config.workerId });

  const engines: Engine[] = [await EspeakEngine.load({ threads: config.espeakThreads })];
  for (const pack of config.packs) {
    engines.push(
      await loadQwen3Engine(pack, {
        executionProvider: config.executionProvider,
        ...(config.onnxThreads > 0 ? { intraOpThreads: config.onnxThreads } : {}),
        voiceCacheBytes: config.voiceCacheMb * 1024 * 1024,
        log: (message) => log('info', message, { pack }),
      }),
    );
  }
  log('info', 'engines loaded', { models: engines.map((engine) => engine.info.id) });

  const scheduler = new Scheduler({ maxActive: config.maxStreams, maxQueued: config.maxQueued, queueTimeoutMs: config.queueTimeoutMs });
  const { server, setReady } = createWorkerServer({ workerId: config.workerId, secret: config.secret, engines, scheduler, log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  setReady(true);
  // Test harnesses and the start script read this line to learn the port.
  log('info', 'listening', { url: `http://${config.host}:${port}`, port });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping', { signal });
    setReady(false);
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref());
    await Promise.race([drained, timeout]);
    server.closeAllConnections();
    await Promise.all(engines.map((engine) => engine.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`gpu-worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
