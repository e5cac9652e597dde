import { ApiError } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import type { PoolModel } from '../pool/worker-pool.ts';
import { modelNotFound } from '../speech/errors.ts';

export type VoiceAbility = 'clone' | 'design';

/** What choosing the model that makes a voice refuses with. */
export const chooseModelErrors = <A extends VoiceAbility>(ability: A) => errorCatalogue({ 404: ['model_not_found'], 422: [`${ability}_unsupported`] });

/** Models that can make this kind of voice, the ones that do it fully first. */
export function modelsThatCan(ability: VoiceAbility, models: Map<string, PoolModel>): PoolModel[] {
  const able = [...models.values()].filter((m) => m.info.capabilities[ability] !== 'none');
  return able.sort((a, b) => Number(b.info.capabilities[ability] === 'full') - Number(a.info.capabilities[ability] === 'full'));
}

/**
 * The model that makes a new voice: the one asked for, if it can; otherwise the best the pool has
 * (a full implementation before an approximate one, the deployment's default model among equals).
 */
export function chooseVoiceModel(ability: VoiceAbility, requested: string | undefined, models: Map<string, PoolModel>, defaultModel: string | undefined): PoolModel {
  const able = modelsThatCan(ability, models);
  if (requested) {
    const model = models.get(requested);
    if (!model) throw modelNotFound(requested, models);
    if (model.info.capabilities[ability] === 'none') {
      const others = able.map((m) => m.info.id);
      throw new ApiError(
        422,
        'invalid_request_error',
        `${ability}_unsupported`,
        `Model "${requested}" cannot ${ability} voices. ${others.length ? `Models that can: ${others.join(', ')}.` : 'No model in this deployment can.'}`,
        { param: 'model' },
      );
    }
    return model;
  }
  const best = able.filter((m) => m.info.capabilities[ability] === able[0]?.info.capabilities[ability]);
  const chosen = best.find((m) => m.info.id === defaultModel) ?? best[0];
  if (!chosen) throw new ApiError(422, 'invalid_request_error', `${ability}_unsupported`, `No model in this deployment can ${ability} voices.`);
  return chosen;
}
