import type { Context } from 'hono';
import type { SpeechSegment, WorkerVoice } from '../../shared/protocol/worker-api.ts';
import type { SpeechRequest } from '../../shared/schemas/speech.ts';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv, Env } from '../env.ts';
import type { PoolModel, WorkerPool } from '../pool/worker-pool.ts';
import { plainTextScript, type SpeechScript } from '../pronunciation/script.ts';
import type { NotHonored } from '../pronunciation/not-honored.ts';
import { speechSegments } from '../pronunciation/speech-segments.ts';
import { voiceProfileFor } from '../voices/voice-profiles.ts';
import { modelNotFound, presetNotFound, unsupportedLanguage } from './errors.ts';
import { detectLanguages } from './language-detection.ts';

/** What a speech request will be spoken with, once checked against what the pool serves. */
export interface ResolvedSpeech {
  model: PoolModel;
  /** A preset of the model, or the account's own voice (with `voiceProfile`). */
  voiceId: string;
  voiceProfile: WorkerVoice | undefined;
  /** The language of the text, or of its first part. */
  language: string;
  /**
   * What the worker says, in order (edge/pronunciation/speech-segments.ts): the text cut where
   * its language changes, pauses, rates and replaced words. Undefined: the input as written.
   */
  segments: SpeechSegment[] | undefined;
  /** The languages detected, in order; undefined when the request named its language. */
  detected: string[] | undefined;
  /** Markup the model could not say as asked (said as plain text), for the answer to report. */
  notHonored: NotHonored[];
  /** The pronunciation dictionaries applied, `id@version` (the audio cache keys by them). */
  dictionaries: string[];
}

/** What resolution reads of where it runs: the bindings and variables (a request's context, or a queue consumer's env). */
export interface EnvHolder {
  env: Env;
}

/** The model a request that names none gets: `DEFAULT_MODEL` when the pool serves it, else the first served. */
export function defaultModelId(env: Env, models: Map<string, PoolModel>): string {
  const { defaultModel } = edgeConfig(env);
  return defaultModel !== undefined && models.has(defaultModel) ? defaultModel : models.keys().next().value!;
}

function resolveModel(c: EnvHolder, request: Pick<SpeechRequest, 'model'>, models: Map<string, PoolModel>): PoolModel {
  const fallback = defaultModelId(c.env, models);
  const named = request.model ?? fallback;
  const id = edgeConfig(c.env).openAiAliases.model(named, [...models.keys()], fallback) ?? named;
  const model = models.get(id);
  if (!model) throw modelNotFound(named, models);
  return model;
}

function checkLanguage(language: string, model: PoolModel, models: Map<string, PoolModel>): string {
  if (!model.info.languages.includes(language)) throw unsupportedLanguage(language, model, models);
  return language;
}

/** A preset of the model, or an OpenAI voice name the alias table maps to one. */
function presetOrAlias(c: EnvHolder, named: string, model: PoolModel) {
  const preset = model.info.voices.find((v) => v.id === named);
  const aliases = edgeConfig(c.env).openAiAliases;
  if (!preset && !aliases.isVoice(named)) throw presetNotFound(named, model);
  return { preset, aliases };
}

/**
 * What can be refused before admission, so that a request for a model, preset voice or language
 * the pool lacks costs no rate-limit token and no call to the account's object. An account's own
 * voice is the account's object to check, at admission. Returns the model the request names.
 */
export function checkSpeechTarget(c: EnvHolder, request: Omit<SpeechRequest, 'input'>, models: Map<string, PoolModel>): PoolModel {
  const model = resolveModel(c, request, models);
  const named = request.voice ?? model.info.default_voice;
  if (!isCustomVoiceId(named)) presetOrAlias(c, named, model);
  if (request.language !== undefined) checkLanguage(request.language, model, models);
  return model;
}

/** What to say: the script (plain text, or SSML and dictionaries applied) cut into the worker's segments, each in its language. */
function resolveSegments(script: SpeechScript, request: SpeechRequest, model: PoolModel, models: Map<string, PoolModel>, fallback: string) {
  return speechSegments(script, request.input, {
    language: request.language,
    checkLanguage: (language) => checkLanguage(language, model, models),
    detect: (text) => detectLanguages(text, { candidates: model.info.languages, fallback }),
    fallback,
    capabilities: model.info.capabilities,
  });
}

/** Who a speech is for: on HTTP, read from the request's context (httpCaller); a realtime socket says it per chunk, a job per chunk attempt. */
export interface SpeechCaller {
  accountId: string;
  requestId: string;
  /** The version of the account's voice admission found (undefined: a preset). */
  voiceVersion: number | undefined;
  signal: AbortSignal;
}

export const httpCaller = (c: Context<AppEnv>): SpeechCaller => ({
  accountId: c.get('caller').accountId,
  requestId: c.get('requestId'),
  // Set once admitted; a request whose admission overlaps the worker's start names a preset.
  voiceVersion: c.get('speechTicket')?.voiceVersion,
  signal: c.req.raw.signal,
});

/**
 * Resolves model, voice and language against what the pool serves, taking OpenAI's model and
 * voice names through the alias table, and cuts what is said (`script`, default the input as
 * plain text) into the worker's segments. An account's own voice (the account's object admitted it,
 * at `voiceVersion`) comes with its profile for the model, which the worker gets with the request.
 */
export async function resolveSpeech(
  c: EnvHolder,
  request: SpeechRequest,
  pool: WorkerPool,
  models: Map<string, PoolModel>,
  caller: SpeechCaller,
  script: SpeechScript = plainTextScript(request.input),
): Promise<ResolvedSpeech> {
  const model = resolveModel(c, request, models);
  const named = request.voice ?? model.info.default_voice;
  const defaultLanguage = model.info.voices.find((v) => v.id === model.info.default_voice)?.language ?? model.info.languages[0] ?? 'en';
  const { voiceVersion } = caller;

  if (isCustomVoiceId(named) && voiceVersion !== undefined) {
    const voice = { accountId: caller.accountId, id: named, version: voiceVersion };
    const { record, profile } = await voiceProfileFor(c.env, pool, models, voice, model, { requestId: caller.requestId, signal: caller.signal });
    const spoken = resolveSegments(script, request, model, models, record.language && model.info.languages.includes(record.language) ? record.language : defaultLanguage);
    return { model, voiceId: named, voiceProfile: { id: named, version: voiceVersion, profile }, ...spoken, dictionaries: script.dictionaries ?? [] };
  }
  const { preset, aliases } = presetOrAlias(c, named, model);
  const spoken = resolveSegments(script, request, model, models, preset?.language ?? defaultLanguage);
  const voiceId = preset ? preset.id : aliases.voice(named, model.info, spoken.language)!;
  return { model, voiceId, voiceProfile: undefined, ...spoken, dictionaries: script.dictionaries ?? [] };
}
