import { z } from 'zod';
import { ApiError } from '../../../../shared/errors.ts';
import { type DictionaryLocator, MAX_DICTIONARIES_PER_REQUEST } from '../../../../shared/schemas/pronunciation.ts';

/** ElevenLabs' `pronunciation_dictionary_locators`: our dictionaries, its field names. A version id is a version's number as a string. */
export const ElevenLabsLocatorsSchema = z
  .array(z.object({ pronunciation_dictionary_id: z.string().min(1).max(128), version_id: z.string().max(32).nullish() }))
  .max(MAX_DICTIONARIES_PER_REQUEST)
  .describe(
    `Applied, in order (at most ${MAX_DICTIONARIES_PER_REQUEST}): dictionaries made with \`POST /v1/pronunciation-dictionaries\`. \`version_id\` is a version's number ("2"); absent, the latest.`,
  );

/** The locators as the core's `pronunciation_dictionaries`; a version id that is not a version's number is 404, as an unknown version is. */
export function dictionaryLocators(locators: z.infer<typeof ElevenLabsLocatorsSchema> | null | undefined, param: string): DictionaryLocator[] | undefined {
  if (!locators || locators.length === 0) return undefined;
  return locators.map(({ pronunciation_dictionary_id: id, version_id: versionId }) => {
    if (versionId === undefined || versionId === null || versionId === '') return { id };
    if (!/^[1-9]\d{0,8}$/u.test(versionId)) {
      throw new ApiError(404, 'not_found_error', 'pronunciation_dictionary_version_not_found', `Pronunciation dictionary "${id}" has no version "${versionId}": version ids here are numbers ("1", "2", ...).`, {
        param,
      });
    }
    return { id, version: Number(versionId) };
  });
}
