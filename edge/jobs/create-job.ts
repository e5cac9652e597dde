import type { Context } from 'hono';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { AppEnv } from '../env.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { checkSpeechTarget } from '../speech/resolve.ts';
import { D1JobIndex } from '../storage/jobs.ts';
import { voiceNotFound } from '../voices/errors.ts';
import type { CheckedJobRequest } from './job-request.ts';
import { jobHoldRefusal } from './job-errors.ts';
import { jobObject } from './job-stub.ts';
import type { JobSpec, JobView } from './job-types.ts';
import { splitJobScript } from './split-script.ts';
import { splitJobText } from './split-text.ts';
import { loadDictionaries } from '../pronunciation/dictionaries/load-dictionaries.ts';
import { checkWebhookUrl } from './webhooks/webhook-url.ts';
import { edgeConfig } from '../config/edge-config.ts';

const randomSeed = () => crypto.getRandomValues(new Uint32Array(1))[0]!;
const newJobId = () => `job_${[...crypto.getRandomValues(new Uint8Array(12))].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;

/**
 * Accepts a checked job request for the key's account: model, voice and language checked against
 * the pool and the account (a request the job could never speak is refused now, not chunk by
 * chunk), its credits held on the account's object (402 when short), its text split into chunks,
 * its index row written, and its object created, which queues the first chunks.
 */
export async function createJob(c: Context<AppEnv>, checked: CheckedJobRequest): Promise<JobView> {
  const key = c.get('apiKey');
  const { request, text, script, format, sampleRate, bitrate } = checked;
  if (request.webhook_url !== undefined) checkWebhookUrl(request.webhook_url, { allowInsecure: edgeConfig(c.env).webhooks.allowInsecure });

  const pool = new WorkerPool(c.env);
  const models = await pool.models();
  const model = checkSpeechTarget(c, { ...request, stream_format: 'audio', response_format: format }, models);
  const voice = request.voice ?? model.info.default_voice;
  const account = accountObject(c.env, key.account_id);
  if (isCustomVoiceId(voice) && !(await account.voice(voice))) throw voiceNotFound(voice);

  // Pinned now: every chunk, rendered whenever, is said with the versions the job was accepted with.
  const dictionaries = await loadDictionaries(c.env, key.account_id, request.pronunciation_dictionaries ?? []);
  const chunks = script ? splitJobScript(text, script) : splitJobText(text);
  // What the chunks bill, which is what the job holds and charges in all.
  const characters = chunks.reduce((sum, chunk) => sum + chunk.characters, 0);
  const id = newJobId();
  const spec: JobSpec = {
    id,
    account_id: key.account_id,
    key_id: key.id,
    model: model.info.id,
    voice,
    ...(isCustomVoiceId(voice) ? { voice_id: voice } : {}),
    ...(request.language === undefined ? {} : { language: request.language }),
    response_format: format,
    sample_rate: sampleRate,
    ...(bitrate === undefined ? {} : { bitrate }),
    speed: request.speed,
    // Every chunk speaks with the same seed, so that a chunk rendered again is the same audio.
    ...(request.seed !== undefined ? { seed: request.seed } : model.info.capabilities.seed ? { seed: randomSeed() } : {}),
    ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
    ...(dictionaries.length > 0 ? { pronunciation_dictionaries: dictionaries.map(({ id: dictionary, version }) => ({ id: dictionary, version })) } : {}),
    ...(request.webhook_url === undefined ? {} : { webhook_url: request.webhook_url }),
    ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    characters,
    created_at: new Date().toISOString(),
  };

  const hold = await account.holdJob({ key_id: key.id, job_id: id, characters });
  if (!hold.ok) throw jobHoldRefusal(hold, characters);
  try {
    await new D1JobIndex(c.env.DB).add({
      id,
      account_id: key.account_id,
      status: 'queued',
      model: spec.model,
      voice,
      response_format: format,
      characters,
      chunks: chunks.length,
      created_at: spec.created_at,
      finished_at: null,
    });
    return await jobObject(c.env, id).create(spec, chunks);
  } catch (error) {
    // Nothing runs without its object: the credits go back.
    await account.releaseJob(id);
    throw error;
  }
}
