import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEARTBEAT_MS } from '../shared/protocol/pool.ts';
import { readConfig } from './config.ts';

const env = { WORKER_SECRET: 'config-test-secret-0123456789' };

describe('worker config: pool and drain', () => {
  it('joins no pool by default, and drains for a minute', () => {
    expect(readConfig([], env)).toMatchObject({ edgeUrl: undefined, publicUrl: undefined, heartbeatMs: DEFAULT_HEARTBEAT_MS, drainGraceMs: 60_000 });
  });

  it('reads the edge and public URLs from flags before the environment', () => {
    const config = readConfig(['--edge-url', 'https://tts.example.com/', '--public-url', 'http://10.0.0.7:9100'], {
      ...env,
      EDGE_URL: 'https://other.example.com',
      HEARTBEAT_MS: '500',
      DRAIN_GRACE_MS: '0',
    });
    expect(config).toMatchObject({ edgeUrl: 'https://tts.example.com', publicUrl: 'http://10.0.0.7:9100', heartbeatMs: 500, drainGraceMs: 0 });
  });

  it('refuses an edge URL with a path (the heartbeat is signed over its path) or not over http', () => {
    expect(() => readConfig([], { ...env, EDGE_URL: 'https://tts.example.com/prefix' })).toThrow(/origin/);
    expect(() => readConfig([], { ...env, EDGE_URL: 'ftp://tts.example.com' })).toThrow(/http/);
    expect(() => readConfig([], { ...env, WORKER_PUBLIC_URL: 'not a url' })).toThrow(/WORKER_PUBLIC_URL/);
    expect(() => readConfig([], { ...env, HEARTBEAT_MS: '0' })).toThrow(/HEARTBEAT_MS/);
  });
});

describe('worker config: every value checked, each problem named', () => {
  it('takes the defaults when a variable is unset or blank', () => {
    const blank = { ...env, WORKER_PORT: '', MAX_STREAMS: ' ', EXECUTION_PROVIDER: '', EDGE_URL: '', WORKER_HOST: '', WORKER_ID: '' };
    for (const given of [env, blank]) {
      expect(readConfig([], given)).toMatchObject({ host: '127.0.0.1', port: 9100, maxStreams: 16, maxQueued: 32, executionProvider: 'cpu', edgeUrl: undefined });
      expect(readConfig([], given).workerId).toBe(`${hostname()}-${process.pid}`);
    }
  });

  it('names the variable (and its flag), what it allows and the value it got', () => {
    expect(() => readConfig([], { ...env, MAX_STREAMS: '0' })).toThrow('MAX_STREAMS: must be a whole number >= 1, got "0"');
    expect(() => readConfig([], { ...env, WORKER_PORT: '70000' })).toThrow('--port / WORKER_PORT: must be a whole number from 0 to 65535, got "70000"');
    expect(() => readConfig(['--port', 'http'], env)).toThrow('--port / WORKER_PORT: must be a whole number from 0 to 65535, got "http"');
    expect(() => readConfig(['--execution-provider', 'gpu'], env)).toThrow('--execution-provider / EXECUTION_PROVIDER: must be one of cpu, cuda, got "gpu"');
    expect(() => readConfig([], { ...env, QUEUE_TIMEOUT_MS: '10s' })).toThrow('QUEUE_TIMEOUT_MS: must be a whole number >= 1, got "10s"');
  });

  it('lists every problem at once, and never repeats the secret', () => {
    let message = '';
    try {
      readConfig([], { WORKER_SECRET: 'short-secret', MAX_QUEUED: '-1', EDGE_URL: 'tts.example.com' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'the configuration is invalid:',
      '  WORKER_SECRET: must be 16 characters or more',
      '  MAX_QUEUED: must be a whole number >= 0, got "-1"',
      '  --edge-url / EDGE_URL: must be an http(s) origin like https://tts.example.com, without a path, got "tts.example.com"',
    ]);
    expect(() => readConfig([], {})).toThrow('WORKER_SECRET: must be set to the secret shared with the edge (16 characters or more), but it is not set');
  });

  it('keeps one slot from background requests unless told otherwise, and never all of them', () => {
    const background = (given: Record<string, string>) => readConfig([], { ...env, ...given }).background;
    expect(background({})).toEqual({ reservedForLive: 1, maxQueued: 32, queueTimeoutMs: 60_000 });
    expect(background({ MAX_STREAMS: '1' }).reservedForLive).toBe(0);
    expect(background({ MAX_STREAMS: '4', BACKGROUND_RESERVED_STREAMS: '2', BACKGROUND_MAX_QUEUED: '0', BACKGROUND_QUEUE_TIMEOUT_MS: '500' })).toEqual({
      reservedForLive: 2,
      maxQueued: 0,
      queueTimeoutMs: 500,
    });
    expect(() => background({ MAX_STREAMS: '2', BACKGROUND_RESERVED_STREAMS: '2' })).toThrow(
      'BACKGROUND_RESERVED_STREAMS: must be below MAX_STREAMS (2), or background requests never run, got "2"',
    );
    expect(() => background({ BACKGROUND_QUEUE_TIMEOUT_MS: '1m' })).toThrow('BACKGROUND_QUEUE_TIMEOUT_MS: must be a whole number >= 1, got "1m"');
  });

  it('refuses a flag it does not know', () => {
    expect(() => readConfig(['--prot', '9100'], env)).toThrow(/--prot/);
  });
});
