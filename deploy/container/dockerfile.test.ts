import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const DOCKERFILE = read('./Dockerfile');

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with continuation lines joined and comments dropped, split into stages at FROM. */
function stages(text: string): Instruction[][] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const result: Instruction[][] = [[]];
  for (const line of lines) {
    const [, keyword = '', args = ''] = line.match(/^(\S+)\s*(.*)$/)!;
    if (keyword.toUpperCase() === 'FROM') result.push([]);
    result.at(-1)!.push({ keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') });
  }
  return result;
}

const [globals, ...all] = stages(DOCKERFILE);
const runtime = all.at(-1)!;
const find = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);
const argDefault = (name: string) => find(globals!, 'ARG').find((i) => i.args.startsWith(`${name}=`))?.args.slice(name.length + 1);

describe('deploy/container/Dockerfile', () => {
  it('has no lint problems (dockerfile-utils)', () => {
    expect(validate(DOCKERFILE)).toEqual([]);
  });

  it('builds on the official Node 22 image and runs on an OS image, both build arguments', () => {
    expect(argDefault('BASE_IMAGE')).toMatch(/^(docker\.io\/library\/)?node:22-bookworm-slim$/);
    expect(argDefault('RUNTIME_IMAGE')).toMatch(/^(docker\.io\/library\/)?debian:bookworm-slim$/);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all[0]![0]!.args).toBe('${BASE_IMAGE} AS build');
    expect(runtime[0]!.args).toBe('${RUNTIME_IMAGE}');
  });

  it('installs production dependencies only, with no install scripts', () => {
    const install = find(all[0]!, 'RUN').map((i) => i.args).join(' ');
    expect(install).toContain('npm ci --omit=dev --ignore-scripts');
    expect(install).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
  });

  it('runs as a non-root user', () => {
    const users = find(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
  });

  it('copies no model packs and no node_modules from the build context', () => {
    const sources = find(runtime, 'COPY')
      .concat(find(runtime, 'ADD'))
      .filter((i) => !i.args.includes('--from='))
      .flatMap((i) => i.args.split(' ').filter((word) => !word.startsWith('--')).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source).not.toMatch(/^(\.\/)?(\.|\*|models|node_modules)(\/|$)/);
    expect(find(runtime, 'COPY').find((i) => i.args.includes('node_modules'))?.args).toMatch(/^--from=build /);
  });

  it('sends only the worker to the build, never models/ or node_modules (.dockerignore)', () => {
    const rules = read('../../.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    expect(rules[0]).toBe('*');
    for (const rule of rules.filter((r) => r.startsWith('!'))) expect(rule).not.toMatch(/^!(\.\/)?(models|node_modules)(\/|$)/);
  });

  it('stops with SIGTERM, which the worker drains on, delivered to node itself', () => {
    expect(find(runtime, 'STOPSIGNAL').at(-1)?.args).toBe('SIGTERM');
    // Exec form: no shell in between to swallow the signal; the entrypoint script execs node.
    const entrypoint = JSON.parse(find(runtime, 'ENTRYPOINT').at(-1)!.args) as string[];
    expect(entrypoint).toEqual(['/usr/local/bin/open-tts-worker']);
    expect(read('./entrypoint.sh').trim().split('\n').at(-1)).toBe('exec node gpu-worker/main.ts "$@"');
  });

  it('checks /healthz and listens on all interfaces', () => {
    expect(find(runtime, 'HEALTHCHECK').at(-1)?.args).toContain('/healthz');
    expect(find(runtime, 'ENV').map((i) => i.args).join(' ')).toContain('WORKER_HOST=0.0.0.0');
  });
});
