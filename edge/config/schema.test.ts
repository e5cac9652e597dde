import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/errors.ts';
import { RESPONSE_FORMATS } from '../../shared/schemas/speech.ts';
import { edgeConfig } from './edge-config.ts';
import { checkEdgeVariables, EDGE_VARIABLE_NAMES, parseEdgeConfig } from './schema.ts';

const SECRETS = { WORKER_SECRET: 'schema-test-secret-0123456789' };

const problemsOf = (env: Record<string, unknown>) => {
  const result = parseEdgeConfig({ ...SECRETS, ...env });
  return result.ok ? [] : result.problems;
};

describe('edge configuration: defaults', () => {
  it('keeps each variable’s meaning when unset or blank', () => {
    const unset = parseEdgeConfig(SECRETS);
    const blank = parseEdgeConfig({ ...SECRETS, ...Object.fromEntries(EDGE_VARIABLE_NAMES.map((name) => [name, ' '])), ADMIN_TOKEN: '' });
    for (const result of [unset, blank]) {
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value).toMatchObject({
        workerUrls: [],
        firstByteTimeoutMs: 15_000,
        stall: { unknownMs: 15_000, multiple: 4, floorMs: 3_000, ceilingMs: 60_000 },
        firstAudioBudgetMs: 2_000,
        defaultModel: undefined,
        defaultResponseFormat: 'mp3',
        voiceCreditsPerSecond: 0,
        realtimeIdleTimeoutMs: 60_000,
        webhooks: { allowInsecure: false, retryBaseMs: 30_000 },
        jobs: { chunksInFlight: 8, retentionMs: 604_800_000, maxWaitMs: 1_800_000 },
        audioCache: { enabled: true, hitPrice: 1, maxBytesPerAccount: 1_073_741_824, maxAgeMs: 30 * 86_400_000, sharedPhrases: new Set() },
        workerSecret: SECRETS.WORKER_SECRET,
        adminToken: undefined,
      });
      expect(result.value.openAiAliases.model('tts-1', ['espeak'], 'espeak')).toBe('espeak');
      expect(result.value.elevenLabsModels.model('eleven_v3', ['espeak', 'qwen3-tts-1.7b-base'], 'espeak')).toBe('qwen3-tts-1.7b-base');
    }
  });

  it('reads set values into their types', () => {
    const result = parseEdgeConfig({
      ...SECRETS,
      WORKER_URLS: ' http://127.0.0.1:9100/, ,https://gpu.example.com:8443 ',
      FIRST_BYTE_TIMEOUT_MS: '1500',
      STALL_TTFA_MULTIPLE: '3',
      STALL_FLOOR_MS: '1000',
      STALL_CEILING_MS: '30000',
      FIRST_AUDIO_BUDGET_MS: '800',
      DEFAULT_MODEL: 'qwen3-tts-0.6b-base',
      DEFAULT_RESPONSE_FORMAT: 'wav',
      OPENAI_ALIASES: '{ "models": { "tts-1": ["my-model"] } }',
      ELEVENLABS_MODELS: '{ "eleven_v3": ["my-model"] }',
      VOICE_CREDITS_PER_SECOND: '2.5',
      // A TOML entry written without quotes reaches the edge as a number.
      REALTIME_IDLE_TIMEOUT_MS: 400,
      ALLOW_INSECURE_WEBHOOKS: 'true',
      WEBHOOK_RETRY_BASE_MS: '50',
      JOB_CHUNKS_IN_FLIGHT: '3',
      JOB_RETENTION_SECONDS: '3600',
      JOB_MAX_WAIT_SECONDS: '60',
      AUDIO_CACHE_MODE: 'off',
      AUDIO_CACHE_HIT_PRICE: '0.25',
      AUDIO_CACHE_MAX_BYTES_PER_ACCOUNT: '1000000',
      AUDIO_CACHE_MAX_AGE_DAYS: '7',
      AUDIO_CACHE_SHARED_PHRASES: '["Welcome.", "Press one."]',
      ADMIN_TOKEN: 'admin-token',
    });
    expect(result.ok && { ...result.value, openAiAliases: undefined, elevenLabsModels: undefined }).toEqual({
      workerUrls: ['http://127.0.0.1:9100', 'https://gpu.example.com:8443'],
      firstByteTimeoutMs: 1500,
      stall: { unknownMs: 1500, multiple: 3, floorMs: 1000, ceilingMs: 30_000 },
      firstAudioBudgetMs: 800,
      defaultModel: 'qwen3-tts-0.6b-base',
      defaultResponseFormat: 'wav',
      openAiAliases: undefined,
      elevenLabsModels: undefined,
      voiceCreditsPerSecond: 2.5,
      realtimeIdleTimeoutMs: 400,
      webhooks: { allowInsecure: true, retryBaseMs: 50 },
      jobs: { chunksInFlight: 3, retentionMs: 3_600_000, maxWaitMs: 60_000 },
      audioCache: { enabled: false, hitPrice: 0.25, maxBytesPerAccount: 1_000_000, maxAgeMs: 7 * 86_400_000, sharedPhrases: new Set(['Welcome.', 'Press one.']) },
      workerSecret: SECRETS.WORKER_SECRET,
      adminToken: 'admin-token',
    });
    expect(result.ok && result.value.openAiAliases.model('tts-1', ['espeak', 'my-model'], 'espeak')).toBe('my-model');
    expect(result.ok && result.value.elevenLabsModels.model('eleven_v3', ['espeak', 'my-model'], 'espeak')).toBe('my-model');
  });
});

describe('edge configuration: a bad value is named, with what is allowed', () => {
  it.each([
    [{ DEFAULT_RESPONSE_FORMAT: 'ogg' }, `DEFAULT_RESPONSE_FORMAT: must be one of ${RESPONSE_FORMATS.join(', ')}, got "ogg"`],
    [{ FIRST_BYTE_TIMEOUT_MS: '0' }, 'FIRST_BYTE_TIMEOUT_MS: must be a whole number >= 1, got "0"'],
    [{ FIRST_BYTE_TIMEOUT_MS: '15s' }, 'FIRST_BYTE_TIMEOUT_MS: must be a whole number >= 1, got "15s"'],
    [{ FIRST_AUDIO_BUDGET_MS: '2s' }, 'FIRST_AUDIO_BUDGET_MS: must be a whole number >= 1, got "2s"'],
    [{ STALL_TTFA_MULTIPLE: '0' }, 'STALL_TTFA_MULTIPLE: must be a whole number >= 1, got "0"'],
    [{ STALL_FLOOR_MS: '3s' }, 'STALL_FLOOR_MS: must be a whole number >= 1, got "3s"'],
    [{ REALTIME_IDLE_TIMEOUT_MS: '-5' }, 'REALTIME_IDLE_TIMEOUT_MS: must be a whole number >= 1, got "-5"'],
    [{ VOICE_CREDITS_PER_SECOND: 'free' }, 'VOICE_CREDITS_PER_SECOND: must be a number >= 0, got "free"'],
    [{ ALLOW_INSECURE_WEBHOOKS: 'yes' }, 'ALLOW_INSECURE_WEBHOOKS: must be one of true, false, got "yes"'],
    [{ WEBHOOK_RETRY_BASE_MS: '30s' }, 'WEBHOOK_RETRY_BASE_MS: must be a whole number >= 1, got "30s"'],
    [{ WORKER_URLS: 'http://a:9100,gpu-2:9100' }, 'WORKER_URLS: must be comma-separated http(s) base URLs of gpu-workers, or empty ("gpu-2:9100" is not one), got "http://a:9100,gpu-2:9100"'],
    [{ OPENAI_ALIASES: '{ "modles": {} }' }, /^OPENAI_ALIASES: \(top level\): Unrecognized key: "modles"/],
    [{ OPENAI_ALIASES: '{ "models": ' }, /^OPENAI_ALIASES: not valid JSON/],
    [{ OPENAI_ALIASES: '{ "voices": { "robot": { "presets": { "espeak": "en-male" } } } }' }, /^OPENAI_ALIASES: voices\.robot\.gender: required/],
    [{ ELEVENLABS_MODELS: '{ "eleven_v3": "espeak" }' }, /^ELEVENLABS_MODELS: eleven_v3: .*expected array/],
    [{ ELEVENLABS_MODELS: '[' }, /^ELEVENLABS_MODELS: not valid JSON/],
    [{ AUDIO_CACHE_MODE: 'yes' }, 'AUDIO_CACHE_MODE: must be one of on, off, got "yes"'],
    [{ AUDIO_CACHE_HIT_PRICE: '1.5' }, 'AUDIO_CACHE_HIT_PRICE: must be a number from 0 to 1, got "1.5"'],
    [{ AUDIO_CACHE_SHARED_PHRASES: '"Welcome."' }, /^AUDIO_CACHE_SHARED_PHRASES: must be a JSON array of non-empty strings/],
    [{ AUDIO_CACHE_SHARED_PHRASES: '["Welcome.", ' }, /^AUDIO_CACHE_SHARED_PHRASES: must be a JSON array of non-empty strings/],
    [{ WORKER_SECRET: '' }, 'WORKER_SECRET: must be set to the secret shared with the gpu-workers, but it is not set'],
  ])('%j', (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('lists every problem at once, and never repeats a secret', () => {
    const problems = problemsOf({ DEFAULT_RESPONSE_FORMAT: 'ogg', FIRST_BYTE_TIMEOUT_MS: 'soon', ADMIN_TOKEN: { token: 'hunter2' } });
    expect(problems.map((line) => line.split(':')[0])).toEqual(['FIRST_BYTE_TIMEOUT_MS', 'DEFAULT_RESPONSE_FORMAT', 'ADMIN_TOKEN']);
    expect(problems[2]).toBe('ADMIN_TOKEN: must be the bearer token of /admin, or unset');
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('checks the variables alone where the secrets cannot be read (before a deploy)', () => {
    expect(checkEdgeVariables({ WORKER_URLS: '', DEFAULT_RESPONSE_FORMAT: 'mp3' })).toEqual([]);
    expect(checkEdgeVariables({ DEFAULT_RESPONSE_FORMAT: 'ogg' })).toEqual([expect.stringMatching(/^DEFAULT_RESPONSE_FORMAT: must be one of mp3, /)]);
  });
});

describe('edgeConfig(env): once per isolate', () => {
  it('parses once per set of values, whatever object holds them', () => {
    const env = { ...SECRETS, DEFAULT_RESPONSE_FORMAT: 'flac' };
    const config = edgeConfig(env);
    expect(config.defaultResponseFormat).toBe('flac');
    expect(edgeConfig({ ...env })).toBe(config);
    expect(edgeConfig({ ...env, DEFAULT_RESPONSE_FORMAT: 'pcm' }).defaultResponseFormat).toBe('pcm');
  });

  it('throws 500 server_misconfigured, naming nothing of the configuration to the client', () => {
    const call = () => edgeConfig({ ...SECRETS, DEFAULT_RESPONSE_FORMAT: 'ogg' });
    const errors = [0, 1].map(() => {
      try {
        call();
      } catch (error) {
        return error;
      }
      return undefined;
    });
    for (const error of errors) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).toJSON()).toEqual({ error: { type: 'internal_error', code: 'server_misconfigured', message: expect.any(String) } });
      expect((error as ApiError).message).not.toMatch(/ogg|DEFAULT_RESPONSE_FORMAT/);
      expect((error as ApiError).status).toBe(500);
    }
  });
});
