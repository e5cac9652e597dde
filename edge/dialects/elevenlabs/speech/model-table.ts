/**
 * Which served model ElevenLabs' model ids stand for, so `model_id: "eleven_multilingual_v2"`
 * speaks: a table in code that a deployment overrides id by id with the `ELEVENLABS_MODELS`
 * variable (JSON, e.g. `{ "eleven_flash_v2_5": ["espeak"], "my_model": ["qwen3-tts-0.6b-base"] }`).
 * Imported by Node scripts as well as the edge (edge/config/schema.ts).
 */
import { ModelNameOverridesSchema, ModelNames, PREFER_QUALITY, PREFER_SPEED, readJsonVariable } from '../../../speech/model-names.ts';

// ElevenLabs' models by what they are for: its quality models prefer the 1.7B packs, its fast,
// low-latency ones (Flash, Turbo) the 0.6B packs; all end at espeak.
const DEFAULT_ELEVENLABS_MODELS: Record<string, readonly string[]> = {
  eleven_multilingual_v2: PREFER_QUALITY,
  eleven_v3: PREFER_QUALITY,
  eleven_flash_v2_5: PREFER_SPEED,
  eleven_turbo_v2_5: PREFER_SPEED,
  eleven_flash_v2: PREFER_SPEED,
  eleven_turbo_v2: PREFER_SPEED,
  eleven_monolingual_v1: PREFER_QUALITY,
  eleven_multilingual_v1: PREFER_QUALITY,
};

const DEFAULT_TABLE = new ModelNames(DEFAULT_ELEVENLABS_MODELS);

/** The default table with `json` merged over it, or what is wrong with `json`, naming the key at fault. */
export function readElevenLabsModels(json: string | undefined): { table: ModelNames } | { problem: string } {
  if (json === undefined || json.trim() === '') return { table: DEFAULT_TABLE };
  const read = readJsonVariable(json, ModelNameOverridesSchema);
  return 'problem' in read ? read : { table: new ModelNames(DEFAULT_ELEVENLABS_MODELS, read.value) };
}
