import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstable_getVarsForDev } from 'wrangler';
import { edgeVariablesIn, envFileText, WRANGLER_TOML } from './edge-variables.ts';

const ROOT = new URL('..', import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'check-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  output: string;
  /** A line a started process printed (`[gpu-worker] ...`, `[edge] ...`): the check came too late. */
  launched: string | undefined;
}

/**
 * Runs a script of scripts/ to its end. A line from a process it launched ends the run at once
 * (its process group is stopped), so that a check that failed to refuse cannot leave a stack running.
 */
function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, EDGE_PORT: '18987', WORKER_PORT: '19300', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  let launched: string | undefined;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (launched === undefined && /^\[(gpu-worker|edge)/.test(line)) {
        launched = line;
        process.kill(-child.pid!, 'SIGTERM');
      }
    });
  }
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output: lines.join('\n'), launched })));
}

describe('npm start checks the edge’s configuration before it starts anything', () => {
  it.each([
    ['DEFAULT_RESPONSE_FORMAT', 'ogg', 'DEFAULT_RESPONSE_FORMAT: must be one of mp3, opus, aac, flac, wav, pcm, mulaw, alaw, got "ogg"'],
    ['OPENAI_ALIASES', '{ "models": { "tts-1": "espeak" } }', 'OPENAI_ALIASES: models.tts-1: '],
  ])('%s=%s: exits non-zero naming the variable and what it allows', async (name, value, message) => {
    const { code, output, launched } = await run('start.ts', [], { [name]: value });
    expect(launched).toBeUndefined();
    expect(code).not.toBe(0);
    expect(output).toContain("the edge's configuration");
    expect(output).toContain(message);
  });
});

describe('check-config (npm run deploy runs it before wrangler deploy)', () => {
  it.each(['', 'production'])('passes wrangler.toml as it is (env %j), saying the secrets were not read', async (target) => {
    const { code, output } = await run('check-config.ts', target ? ['--env', target] : [], {});
    expect(code).toBe(0);
    expect(output).toContain(`${target ? `[env.${target}.vars]` : '[vars]'} is valid`);
    expect(output).toContain('WORKER_SECRET, ADMIN_TOKEN) cannot be read from here');
  });

  it('refuses a bad value in the chosen environment only, naming it and what it allows', async () => {
    const config = join(dir, 'wrangler.toml');
    const toml = await readFile(WRANGLER_TOML, 'utf8');
    const production = '[env.production.vars]\n';
    expect(toml).toContain(production);
    await writeFile(config, toml.replace(production, `${production}REALTIME_IDLE_TIMEOUT_MS = "1m"\n`));
    const refused = await run('check-config.ts', ['--env', 'production', '--config', config], {});
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('[env.production.vars] is invalid');
    expect(refused.output).toContain('REALTIME_IDLE_TIMEOUT_MS: must be a whole number >= 1, got "1m"');
    expect((await run('check-config.ts', ['--env', 'staging', '--config', config], {})).code).toBe(0);
  });

  it('refuses an environment wrangler.toml does not have', async () => {
    const { code, output } = await run('check-config.ts', ['--env', 'prod'], {});
    expect(code).toBe(1);
    expect(output).toContain('No environment found in configuration with name "prod"');
  });
});

describe('the env file npm start hands to wrangler', () => {
  it('carries the edge’s variables set in the environment, and nothing else', () => {
    expect(edgeVariablesIn({ DEFAULT_RESPONSE_FORMAT: 'wav', DEFAULT_MODEL: '', PATH: '/usr/bin', EDGE_PORT: '8787' })).toEqual({
      DEFAULT_RESPONSE_FORMAT: 'wav',
      DEFAULT_MODEL: '',
    });
  });

  it('reads back, as wrangler reads it, exactly the values written', async () => {
    const values = {
      OPENAI_ALIASES: '{ "voices": { "alloy": { "presets": { "espeak": "en-gb-female" } } } } # not a comment',
      DEFAULT_MODEL: "it's $HOME, ${PATH} and \\$x",
      WORKER_SECRET: 'line one\nline two',
      ADMIN_TOKEN: 'ends with a backslash \\',
    };
    const file = join(dir, '.env');
    await writeFile(file, envFileText(values));
    const read = unstable_getVarsForDev(join(dir, 'wrangler.toml'), [file], {}, undefined, true) as Record<string, { value: string }>;
    expect(Object.fromEntries(Object.entries(read).map(([name, binding]) => [name, binding.value]))).toEqual(values);
  });
});
