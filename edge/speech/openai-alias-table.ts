/**
 * Which served model and preset voice OpenAI's model and voice names stand for: a table in code,
 * which a deployment overrides name by name with the `OPENAI_ALIASES` variable (JSON, e.g.
 * `{ "models": { "tts-1": ["my-model"] }, "voices": { "alloy": { "presets": { "espeak": "en-gb-female" } } } }`).
 */
import { z } from 'zod';
import { ModelNameOverridesSchema, ModelNames, PREFER_QUALITY, PREFER_SPEED, readJsonVariable } from './model-names.ts';

const GenderSchema = z.enum(['male', 'female', 'neutral']);

export interface VoiceAlias {
  /** The gender of preset to choose when no preset is named for the model. */
  gender: z.infer<typeof GenderSchema>;
  /** A preset id per model id, used when that model has it. */
  presets: Readonly<Record<string, string>>;
}

export interface AliasTable {
  /** Per model alias, the model ids to prefer: the first one the pool serves wins. */
  models: ModelNames;
  voices: ReadonlyMap<string, VoiceAlias>;
}

const DEFAULT_MODELS: Record<string, readonly string[]> = {
  'tts-1': PREFER_SPEED,
  'tts-1-hd': PREFER_QUALITY,
  // The 1.7B CustomVoice pack is the one that follows instructions, as gpt-4o-mini-tts does.
  'gpt-4o-mini-tts': PREFER_QUALITY,
};

// OpenAI's voices by how they sound; alloy, which OpenAI calls neutral, takes female presets.
const DEFAULT_VOICE_GENDERS: Record<string, VoiceAlias['gender']> = {
  alloy: 'female',
  ash: 'male',
  ballad: 'male',
  coral: 'female',
  echo: 'male',
  fable: 'male',
  nova: 'female',
  onyx: 'male',
  sage: 'female',
  shimmer: 'female',
  verse: 'male',
  marin: 'female',
  cedar: 'male',
};

export const DEFAULT_ALIAS_TABLE: AliasTable = {
  models: new ModelNames(DEFAULT_MODELS),
  voices: new Map(Object.entries(DEFAULT_VOICE_GENDERS).map(([name, gender]) => [name, { gender, presets: {} }])),
};

const OverridesSchema = z.strictObject({
  models: ModelNameOverridesSchema.optional(),
  voices: z
    .record(z.string(), z.strictObject({ gender: GenderSchema.optional(), presets: z.record(z.string(), z.string().min(1)).optional() }))
    .optional(),
});

/**
 * The default table with `json` merged over it, or what is wrong with `json`, naming the key at
 * fault. The edge's configuration schema (edge/config/) reads `OPENAI_ALIASES` with it.
 */
export function readAliasTable(json: string | undefined): { table: AliasTable } | { problem: string } {
  if (json === undefined || json.trim() === '') return { table: DEFAULT_ALIAS_TABLE };
  const read = readJsonVariable(json, OverridesSchema);
  if ('problem' in read) return read;
  const overrides = read.value;
  const models = new ModelNames(DEFAULT_MODELS, overrides.models);
  const voices = new Map(DEFAULT_ALIAS_TABLE.voices);
  for (const [alias, override] of Object.entries(overrides.voices ?? {})) {
    const base = voices.get(alias);
    const gender = override.gender ?? base?.gender;
    if (gender === undefined) return { problem: `voices.${alias}.gender: required for a voice that is not one of OpenAI's` };
    voices.set(alias, { gender, presets: { ...base?.presets, ...override.presets } });
  }
  return { table: { models, voices } };
}

/** As readAliasTable, but a malformed value throws, its message starting with `OPENAI_ALIASES: `. */
export function aliasTableFrom(json: string | undefined): AliasTable {
  const read = readAliasTable(json);
  if ('problem' in read) throw new Error(`OPENAI_ALIASES: ${read.problem}.`);
  return read.table;
}
