/**
 * Which served model and preset voice OpenAI's model and voice names stand for: a table in code,
 * which a deployment overrides name by name with the `OPENAI_ALIASES` variable (JSON, e.g.
 * `{ "models": { "tts-1": ["my-model"] }, "voices": { "alloy": { "presets": { "espeak": "en-gb-female" } } } }`).
 */
import { z } from 'zod';

const GenderSchema = z.enum(['male', 'female', 'neutral']);

export interface VoiceAlias {
  /** The gender of preset to choose when no preset is named for the model. */
  gender: z.infer<typeof GenderSchema>;
  /** A preset id per model id, used when that model has it. */
  presets: Readonly<Record<string, string>>;
}

export interface AliasTable {
  /** Per model alias, the model ids to prefer: the first one the pool serves wins. */
  models: ReadonlyMap<string, readonly string[]>;
  voices: ReadonlyMap<string, VoiceAlias>;
}

// The project's pack ids (`models manifest --id`). CustomVoice first: its preset speakers give
// the voices their gender, where a Base pack has one default voice.
const QWEN3_0_6B = ['qwen3-tts-0.6b-customvoice', 'qwen3-tts-0.6b-base'];
// The 1.7B CustomVoice pack is the one that follows instructions, as gpt-4o-mini-tts does.
const QWEN3_1_7B = ['qwen3-tts-1.7b-customvoice', 'qwen3-tts-1.7b-base'];

const DEFAULT_MODELS: Record<string, readonly string[]> = {
  'tts-1': [...QWEN3_0_6B, 'espeak'],
  'tts-1-hd': [...QWEN3_1_7B, ...QWEN3_0_6B, 'espeak'],
  'gpt-4o-mini-tts': [...QWEN3_1_7B, ...QWEN3_0_6B, 'espeak'],
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
  models: new Map(Object.entries(DEFAULT_MODELS)),
  voices: new Map(Object.entries(DEFAULT_VOICE_GENDERS).map(([name, gender]) => [name, { gender, presets: {} }])),
};

const OverridesSchema = z.strictObject({
  models: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
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
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { problem: `not valid JSON (${(error as Error).message})` };
  }
  const parsed = OverridesSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    return { problem: issues.join('; ') };
  }
  const models = new Map(DEFAULT_ALIAS_TABLE.models);
  for (const [alias, ids] of Object.entries(parsed.data.models ?? {})) models.set(alias, ids);
  const voices = new Map(DEFAULT_ALIAS_TABLE.voices);
  for (const [alias, override] of Object.entries(parsed.data.voices ?? {})) {
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
