/**
 * Model names of other APIs (OpenAI's `tts-1`, ElevenLabs' `eleven_multilingual_v2`, ...), each
 * standing for the served models it prefers, in order: one table per API, in code, that a
 * deployment overrides name by name with a variable (`OPENAI_ALIASES`' `models`,
 * `ELEVENLABS_MODELS`). Imported by Node scripts as well as the edge (edge/config/schema.ts).
 */
import { z } from 'zod';

// The project's pack ids (`models manifest --id`). CustomVoice first: its preset speakers give
// the voices their gender, where a Base pack has one default voice.
const QWEN3_0_6B = ['qwen3-tts-0.6b-customvoice', 'qwen3-tts-0.6b-base'];
// The 1.7B CustomVoice pack is the one that follows instructions.
const QWEN3_1_7B = ['qwen3-tts-1.7b-customvoice', 'qwen3-tts-1.7b-base'];

/** What a name for a fast, low-latency model prefers: the 0.6B packs, then espeak. */
export const PREFER_SPEED: readonly string[] = [...QWEN3_0_6B, 'espeak'];
/** What a name for a high-quality model prefers: the 1.7B packs, then the 0.6B packs, then espeak. */
export const PREFER_QUALITY: readonly string[] = [...QWEN3_1_7B, ...QWEN3_0_6B, 'espeak'];

/** A variable's overrides: a name and the served model ids it prefers, first served wins. */
export const ModelNameOverridesSchema = z.record(z.string(), z.array(z.string().min(1)).min(1));

export class ModelNames {
  private readonly preferred: ReadonlyMap<string, readonly string[]>;

  /** The table in code (`defaults`) with a deployment's `overrides` over it, name by name. */
  constructor(defaults: Readonly<Record<string, readonly string[]>>, overrides: Readonly<Record<string, readonly string[]>> = {}) {
    this.preferred = new Map(Object.entries({ ...defaults, ...overrides }));
  }

  /** Every name, in the table's order. */
  names(): string[] {
    return [...this.preferred.keys()];
  }

  /**
   * The served model `name` stands for: the first of its preferred ids the pool serves, else
   * `defaultModelId`. With `fits` (say, "can speak the voice asked for"), the first of those for
   * which it holds comes first, then any served model for which it does. Undefined when `name` is
   * none of the table's, or names a served model itself.
   */
  model(name: string, servedModelIds: readonly string[], defaultModelId: string, fits?: (id: string) => boolean): string | undefined {
    const preferred = this.preferred.get(name);
    if (preferred === undefined || servedModelIds.includes(name)) return undefined;
    const candidates = [...preferred.filter((id) => servedModelIds.includes(id)), defaultModelId];
    return (fits && [...candidates, ...servedModelIds].find(fits)) || candidates[0];
  }

  /** Every name with the served model it stands for now, for a model listing. */
  list(servedModelIds: readonly string[], defaultModelId: string): { name: string; model: string }[] {
    return this.names().map((name) => ({ name, model: this.model(name, servedModelIds, defaultModelId) ?? name }));
  }
}

/**
 * A variable's JSON text parsed against `schema`, or what is wrong with it, naming the key at
 * fault (for the edge's configuration schema to report).
 */
export function readJsonVariable<S extends z.ZodType>(json: string, schema: S): { value: z.output<S> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { problem: `not valid JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    return { problem: issues.join('; ') };
  }
  return { value: parsed.data };
}
