/**
 * OpenAI's model names (tts-1, tts-1-hd, gpt-4o-mini-tts) and voice names (alloy, ash, ...) on
 * this deployment: each stands for a model the pool serves and a preset of that model, so
 * requests written for OpenAI's API work unchanged. The deployment's table (the one in code with
 * `OPENAI_ALIASES` over it) is `edgeConfig(env).openAiAliases` (edge/config/).
 */
import type { ModelInfo } from '../../shared/schemas/catalog.ts';
import type { AliasTable } from './openai-alias-table.ts';

export class OpenAiAliases {
  private readonly table: AliasTable;

  constructor(table: AliasTable) {
    this.table = table;
  }

  /**
   * The served model an OpenAI model name stands for: the first of its preferred ids the pool
   * serves, else `defaultModelId`. Undefined when `name` is no alias, or names a served model itself.
   */
  model(name: string, servedModelIds: readonly string[], defaultModelId: string): string | undefined {
    return this.table.models.model(name, servedModelIds, defaultModelId);
  }

  /** Every model alias with the model it stands for now, for `GET /v1/models`. */
  listModels(servedModelIds: readonly string[], defaultModelId: string): { alias: string; model: string }[] {
    return this.table.models.list(servedModelIds, defaultModelId).map(({ name, model }) => ({ alias: name, model }));
  }

  isVoice(name: string): boolean {
    return this.table.voices.has(name);
  }

  /**
   * The preset of `model` an OpenAI voice name stands for: the one configured for the model if it
   * has it, else one of the voice's gender speaking `language`, else of its gender in any
   * language, else the model's default voice. Undefined when `name` is no alias.
   */
  voice(name: string, model: ModelInfo, language: string): string | undefined {
    const alias = this.table.voices.get(name);
    if (alias === undefined) return undefined;
    const configured = alias.presets[model.id];
    if (configured !== undefined && model.voices.some((v) => v.id === configured)) return configured;
    const ofGender = model.voices.filter((v) => v.gender === alias.gender);
    return (ofGender.find((v) => v.language === language) ?? ofGender[0])?.id ?? model.default_voice;
  }
}
