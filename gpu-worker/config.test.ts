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
