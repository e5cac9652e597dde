import { invalidRequest } from '../../shared/errors.ts';
import type { Env } from '../env.ts';
import type { PoolModel } from '../pool/worker-pool.ts';
import { D1VoiceIndex, type VoiceCursor, type VoiceFilter, type VoiceRow, type VoiceType } from '../storage/voice-index.ts';
import { type PresetVoice, presetObject } from './voice-object.ts';

/**
 * Listing voices, for every dialect: the served models' presets first (in model order), then the
 * account's own voices oldest first, a page at a time. Each route maps its query onto a
 * ListFilter and shapes the voices it gets back.
 */

/** Which voices a listing includes; every field but the first two narrows it. */
export interface ListFilter {
  /** The served models' preset voices. */
  presets: boolean;
  /** The account's own voices of these types (none: no own voices). */
  own: readonly VoiceType[];
  /** Voices this model can speak with. */
  model?: string;
  /** Any of these languages. */
  languages?: string[];
  /** Only presets have a gender: own voices are left out when it is set. */
  gender?: string;
  /** In the name or the description. */
  search?: string;
  ids?: string[];
}

export type ListedVoice = { preset: PresetVoice; row?: never } | { row: VoiceRow; preset?: never };

/** Where the next page starts: an index into the presets, or a position among the account's voices. */
export type ListCursor = { preset: number } | { own: VoiceCursor };

export const encodeListCursor = (cursor: ListCursor) => btoa(JSON.stringify(cursor)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

/** Reads a cursor a listing returned (as `returnedAs`); anything else is 400 invalid_cursor on `param`. */
export function decodeListCursor(text: string | undefined, param: string, returnedAs: string): ListCursor {
  if (!text) return { preset: 0 };
  try {
    const cursor = JSON.parse(atob(text.replaceAll('-', '+').replaceAll('_', '/'))) as ListCursor;
    if ('preset' in cursor && Number.isInteger(cursor.preset) && cursor.preset >= 0) return cursor;
    if ('own' in cursor && typeof cursor.own?.created_at === 'string' && typeof cursor.own.id === 'string') return cursor;
  } catch {
    // answered below
  }
  throw invalidRequest('invalid_cursor', `${param} is not a ${returnedAs} this API returned.`, param);
}

const contains = (text: string | undefined, search: string) => text !== undefined && text.toLowerCase().includes(search.toLowerCase());

function matchingPresets(models: Map<string, PoolModel>, filter: ListFilter): PresetVoice[] {
  if (!filter.presets) return [];
  return [...models.values()]
    .filter(({ info }) => !filter.model || info.id === filter.model)
    .flatMap(({ info }) => info.voices.map((voice) => presetObject(voice, info.id)))
    .filter(
      (voice) =>
        (!filter.languages || filter.languages.includes(voice.language)) &&
        (!filter.gender || voice.gender === filter.gender) &&
        (!filter.search || contains(voice.name, filter.search) || contains(voice.description, filter.search)) &&
        (!filter.ids || filter.ids.includes(voice.id)),
    );
}

/** The filter on the account's own voices, or null when the listing wants none of them. */
function ownFilter(models: Map<string, PoolModel>, filter: ListFilter): VoiceFilter | null {
  if (filter.own.length === 0 || filter.gender) return null;
  // An own voice works with its own model, and with any model that clones (from its clip).
  const model = filter.model ? { id: filter.model, anyVoice: (models.get(filter.model)?.info.capabilities.clone ?? 'none') !== 'none' } : undefined;
  return {
    ...(filter.own.length === 1 ? { type: filter.own[0]! } : {}),
    ...(filter.languages ? { languages: filter.languages } : {}),
    ...(model ? { model } : {}),
    ...(filter.search ? { search: filter.search } : {}),
    ...(filter.ids ? { ids: filter.ids } : {}),
  };
}

/** A page of at most `limit` voices from `cursor`, and where the next one starts (none: this was the last). */
export async function listVoices(
  env: Env,
  accountId: string,
  models: Map<string, PoolModel>,
  filter: ListFilter,
  cursor: ListCursor,
  limit: number,
): Promise<{ voices: ListedVoice[]; next: ListCursor | undefined }> {
  const presets = matchingPresets(models, filter);
  const start = 'preset' in cursor ? cursor.preset : presets.length;
  const voices: ListedVoice[] = presets.slice(start, start + limit).map((preset) => ({ preset }));
  let next: ListCursor | undefined = start + limit < presets.length ? { preset: start + limit } : undefined;

  const room = limit - voices.length;
  const own = ownFilter(models, filter);
  if (!next && room > 0 && own) {
    const rows = await new D1VoiceIndex(env.DB).list(accountId, own, 'own' in cursor ? cursor.own : undefined, room + 1);
    const page = rows.slice(0, room);
    voices.push(...page.map((row) => ({ row })));
    const last = page.at(-1);
    if (rows.length > room && last) next = { own: { created_at: last.created_at, id: last.id } };
  }
  return { voices, next };
}

/** How many voices the listing has in all pages. */
export async function countVoices(env: Env, accountId: string, models: Map<string, PoolModel>, filter: ListFilter): Promise<number> {
  const own = ownFilter(models, filter);
  return matchingPresets(models, filter).length + (own ? await new D1VoiceIndex(env.DB).count(accountId, own) : 0);
}
