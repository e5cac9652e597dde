import type { LanguageCode } from '../../shared/languages.ts';
import type { WorkerVoiceResult } from '../../shared/protocol/worker-api.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { type PoolModel, WorkerPool } from '../pool/worker-pool.ts';
import type { VoiceRow } from '../storage/voice-index.ts';
import { chooseVoiceModel } from './choose-model.ts';
import type { VoiceMaker } from './clone-voice.ts';
import { PREVIEW_TEXT } from './preview-text.ts';
import { existingVoiceOrRoom, type NewVoice } from './save-voice.ts';
import { voiceIdFor } from './voice-id.ts';
import { designOnWorker } from './worker-calls.ts';

/** A voice to design, as every dialect asks for one. */
export interface DesignInput {
  description: string;
  /** Default: the start of the description. */
  name?: string | undefined;
  language: LanguageCode;
  /** Default: the best model that designs voices. */
  model?: string | undefined;
  /** What the preview says; default: a sentence in the language. */
  previewText?: string | undefined;
  seed?: number | undefined;
}

/** What a design will be before any worker works on it. */
export interface DesignPlan {
  /** Derived from the account and the design: the same design again is the same voice. */
  id: string;
  model: PoolModel;
  previewText: string;
  /** The account's voice of this design, when it has it already. */
  existing: VoiceRow | null;
}

/**
 * Chooses the model and the voice's id, and finds the account's voice of this design if it has
 * it already; otherwise makes sure there is room for one more (403 voice_quota_exceeded).
 */
export async function planDesign(env: Env, accountId: string, input: DesignInput): Promise<DesignPlan> {
  const pool = new WorkerPool(env);
  const model = chooseVoiceModel('design', input.model, await pool.models(), edgeConfig(env).defaultModel);
  const previewText = input.previewText ?? PREVIEW_TEXT[input.language];
  const id = await voiceIdFor(accountId, `design:${JSON.stringify([model.info.id, input.language, input.description, previewText, input.seed ?? 0])}`);
  return { id, model, previewText, existing: await existingVoiceOrRoom(env, accountId, id) };
}

/**
 * Has a worker of the plan's model design the voice and speak its preview: the voice as it would
 * be saved (saveVoice) and the worker's result (its profile, and the preview as its clip).
 */
export async function designVoice(env: Env, maker: VoiceMaker, plan: DesignPlan, input: DesignInput): Promise<{ voice: NewVoice; result: WorkerVoiceResult }> {
  const result = await designOnWorker(
    new WorkerPool(env),
    plan.model,
    {
      request_id: maker.requestId,
      model: plan.model.info.id,
      description: input.description,
      language: input.language,
      preview_text: plan.previewText,
      ...(input.seed === undefined ? {} : { seed: input.seed }),
    },
    maker.signal,
  );
  const voice: NewVoice = {
    id: plan.id,
    account_id: maker.accountId,
    type: 'design',
    name: input.name ?? input.description.slice(0, 60),
    language: input.language,
    description: input.description,
    transcript: plan.previewText,
    model: plan.model.info.id,
    clip_sha256: null,
    consent_key_id: null,
    consent_at: null,
  };
  return { voice, result };
}
