import { FORMATS } from '../../shared/audio/formats.ts';
import { LANGUAGES } from '../../shared/languages.ts';
import type { DictionaryLocator } from '../../shared/schemas/pronunciation.ts';
import type { ResponseFormat } from '../../shared/schemas/speech.ts';
import { apiJson } from './api.ts';
import { isAlias, type List, type ModelEntry, type ServedModel, type Voice } from './api-types.ts';
import { chosenDictionaries } from './dictionaries.ts';
import { byId } from './dom.ts';
import { playbackMode } from './player.ts';
import { type InputFormat, inputFormat } from './ssml.ts';

/**
 * The Speak panel's choices: model (from /v1/models), voice (the model's presets and the
 * account's own voices, from /v1/voices), language, format and speed; and the request body they
 * make, with the SSML toggle's input format and the Pronunciation panel's dictionaries.
 */
export interface SpeechRequestBody {
  input: string;
  model?: string;
  voice?: string;
  language?: string;
  response_format: ResponseFormat;
  speed: number;
  input_format: InputFormat;
  pronunciation_dictionaries?: DictionaryLocator[];
}

const text = byId('text', HTMLTextAreaElement);
const modelSelect = byId('model', HTMLSelectElement);
const voiceSelect = byId('voice', HTMLSelectElement);
const languageSelect = byId('language', HTMLSelectElement);
const formatSelect = byId('format', HTMLSelectElement);
const speed = byId('speed', HTMLInputElement);

let models: ModelEntry[] = [];
let voices: Voice[] = [];

const PLAYBACK_LABELS = { 'web-audio': 'streams', 'media-source': 'streams', 'after-download': 'plays after download' } as const;
for (const [format, { contentType }] of Object.entries(FORMATS)) {
  formatSelect.add(new Option(`${format} (${PLAYBACK_LABELS[playbackMode(format as ResponseFormat, contentType)]})`, format, false, format === 'pcm'));
}

export const languageName = (code: string) => LANGUAGES[code as keyof typeof LANGUAGES] ?? code;

/** "" (automatic) first, then the languages given. */
export function fillLanguages(select: HTMLSelectElement, codes: readonly string[], automatic = 'Automatic (from the text)'): void {
  const chosen = select.value;
  select.replaceChildren(...(automatic ? [new Option(automatic, '')] : []), ...codes.map((code) => new Option(languageName(code), code)));
  if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
}

/** The served model a choice stands for (an OpenAI name's `alias_of`). */
function servedModel(id: string): ServedModel | undefined {
  const entry = models.find((model) => model.id === id);
  const servedId = entry && isAlias(entry) ? entry.alias_of : id;
  return models.find((model): model is ServedModel => model.id === servedId && !isAlias(model));
}

/** An account's own voice works with the model it was made with, and with any model that clones. */
function canSpeak(model: ServedModel | undefined, voice: Voice): boolean {
  if (voice.model === model?.id) return true;
  return voice.type !== 'preset' && model !== undefined && model.capabilities.clone !== 'none';
}

function renderModels(): void {
  const chosen = modelSelect.value;
  const served = models.filter((model) => !isAlias(model));
  const aliases = models.filter(isAlias);
  const group = (label: string, options: HTMLOptionElement[]) => {
    const element = document.createElement('optgroup');
    element.label = label;
    element.append(...options);
    return element;
  };
  modelSelect.replaceChildren(
    ...served.map((model) => new Option(model.id, model.id)),
    ...(aliases.length ? [group('OpenAI names', aliases.map((alias) => new Option(`${alias.id} (${alias.alias_of})`, alias.id)))] : []),
  );
  if (models.some((model) => model.id === chosen)) modelSelect.value = chosen;
}

/** The voices and languages of the chosen model; keeps the chosen voice and language when they still apply. */
function renderModelChoices(): void {
  const model = servedModel(modelSelect.value);
  const chosen = voiceSelect.value;
  const usable = voices.filter((voice) => canSpeak(model, voice));
  const presets = usable.filter((voice) => voice.type === 'preset');
  const own = usable.filter((voice) => voice.type !== 'preset');
  const group = (label: string, list: Voice[]) => {
    const element = document.createElement('optgroup');
    element.label = label;
    element.append(...list.map((voice) => new Option(voiceLabel(voice), voice.id)));
    return element;
  };
  voiceSelect.replaceChildren(...(presets.length ? [group('Presets', presets)] : []), ...(own.length ? [group('Your voices', own)] : []));
  if (usable.some((voice) => voice.id === chosen)) voiceSelect.value = chosen;
  else if (model && usable.some((voice) => voice.id === model.default_voice)) voiceSelect.value = model.default_voice;
  fillLanguages(languageSelect, model?.languages ?? []);
}

/** The voice's name, then what it does not say already: how it was made, language, gender. */
function voiceLabel(voice: Voice): string {
  const made = { preset: undefined, clone: 'cloned', design: 'designed' }[voice.type];
  const details = [made, voice.language ? languageName(voice.language) : undefined, voice.gender ?? undefined].filter(
    (detail): detail is string => !!detail && !voice.name.toLowerCase().includes(detail.toLowerCase()),
  );
  return details.length ? `${voice.name} (${details.join(', ')})` : voice.name;
}

modelSelect.addEventListener('change', renderModelChoices);

async function listVoices(): Promise<Voice[]> {
  const all: Voice[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await apiJson<List<Voice>>(`/v1/voices?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    all.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

/** Loads the models and voices the key may use. */
export async function loadSpeechOptions(): Promise<void> {
  const [modelList, voiceList] = await Promise.all([apiJson<List<ModelEntry>>('/v1/models'), listVoices()]);
  models = modelList.data;
  voices = voiceList;
  renderModels();
  renderModelChoices();
}

/** Forgets what the previous key could use. */
export function clearSpeechOptions(): void {
  models = [];
  voices = [];
  renderModels();
  renderModelChoices();
}

/**
 * A voice just made: listed and chosen at once, with the model that made it, which has its
 * profile already (another model would have to make its own from the clip, and may not manage).
 */
export function addVoice(voice: Voice): void {
  voices = [...voices.filter((known) => known.id !== voice.id), voice];
  if (models.some((model) => model.id === voice.model)) modelSelect.value = voice.model;
  voiceSelect.value = '';
  renderModelChoices();
  voiceSelect.value = voice.id;
}

/** What the page says about a voice `addVoice` just chose. */
export const newVoiceSentence = (voice: Voice) =>
  `“${voice.name}” is ready: ${voice.id}. It is chosen in the Speak panel, with ${voice.model}, the model that made it.`;

export function speechRequest(): SpeechRequestBody {
  const dictionaries = chosenDictionaries();
  return {
    input: text.value,
    ...(modelSelect.value ? { model: modelSelect.value } : {}),
    ...(voiceSelect.value ? { voice: voiceSelect.value } : {}),
    ...(languageSelect.value ? { language: languageSelect.value } : {}),
    response_format: formatSelect.value as ResponseFormat,
    speed: speed.valueAsNumber,
    input_format: inputFormat(),
    ...(dictionaries.length ? { pronunciation_dictionaries: dictionaries } : {}),
  };
}
