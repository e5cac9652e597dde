import type { DictionaryLocator, PronunciationRuleInput } from '../../shared/schemas/pronunciation.ts';
import { byId, onFileDrop } from './dom.ts';
import { clearError, fail, say } from './feedback.ts';
import { addRules, createDictionary, type Dictionary, type DictionarySummary, getDictionary, importDictionary, listDictionaries } from './pronunciation-api.ts';
import { parseRuleLines, ruleLine } from './rule-lines.ts';
import { formatCount } from './units.ts';

/**
 * Pronunciation: the account's dictionaries in three ordered slots, each with an optional version,
 * named by every speech request of the page (Speak's HTTP request, Live's socket config); a form
 * that makes a dictionary from rule lines or a PLS file; and one that adds rules to a dictionary
 * (a new version), showing the rules it has.
 */
const slots = [1, 2, 3].map((n) => ({ select: byId(`dictionary-${n}`, HTMLSelectElement), version: byId(`dictionary-${n}-version`, HTMLInputElement) }));
const refreshButton = byId('dictionaries-refresh', HTMLButtonElement);
const createForm = byId('dictionary-form', HTMLFormElement);
const nameInput = byId('dictionary-name', HTMLInputElement);
const rulesText = byId('dictionary-rules', HTMLTextAreaElement);
const fileInput = byId('dictionary-file', HTMLInputElement);
const dropZone = byId('dictionary-drop', HTMLElement);
const createButton = byId('dictionary-create', HTMLButtonElement);
const rulesForm = byId('rules-form', HTMLFormElement);
const rulesTarget = byId('rules-dictionary', HTMLSelectElement);
const rulesList = byId('rules-list', HTMLUListElement);
const newRules = byId('rules-text', HTMLTextAreaElement);
const addButton = byId('rules-add', HTMLButtonElement);
const result = byId('dictionary-result', HTMLElement);

let dictionaries: DictionarySummary[] = [];
/** Lists and rule views can overlap (Refresh pressed while one loads): only the latest one draws. */
let latestList = 0;
let latestRules = 0;

const ruleCount = (count: number) => formatCount(count, count === 1 ? 'rule' : 'rules');
const label = ({ name, latest_version, rules_count }: DictionarySummary) =>
  `${name} (v${latest_version}${typeof rules_count === 'number' ? `, ${ruleCount(rules_count)}` : ''})`;

/** Fills each select with the dictionaries, keeping what was chosen while it is still listed. */
function render(): void {
  const fill = (select: HTMLSelectElement, none: string) => {
    const chosen = select.value;
    select.replaceChildren(new Option(none, ''), ...dictionaries.map((dictionary) => new Option(label(dictionary), dictionary.id)));
    if (dictionaries.some((dictionary) => dictionary.id === chosen)) select.value = chosen;
  };
  for (const slot of slots) fill(slot.select, 'None');
  fill(rulesTarget, 'Choose a dictionary');
  showLatestVersions();
}

/** Each slot's version field says which version "latest" is now. */
function showLatestVersions(): void {
  for (const slot of slots) {
    const dictionary = dictionaries.find((known) => known.id === slot.select.value);
    slot.version.placeholder = dictionary ? `latest (${dictionary.latest_version})` : 'latest';
    slot.version.max = dictionary ? String(dictionary.latest_version) : '';
  }
}

const pinnedVersion = (input: HTMLInputElement) => (Number.isInteger(input.valueAsNumber) && input.valueAsNumber > 0 ? input.valueAsNumber : undefined);

/** The dictionaries the page's speech requests name, in the slots' order (empty slots skipped). */
export function chosenDictionaries(): DictionaryLocator[] {
  return slots.flatMap(({ select, version }) => {
    if (!select.value) return [];
    const pinned = pinnedVersion(version);
    return [{ id: select.value, ...(pinned ? { version: pinned } : {}) }];
  });
}

/**
 * The chosen dictionaries with the version each stands for now (a latest one as last listed):
 * Live opens a new socket when this changes, so rules just added apply to what is typed next.
 */
export const chosenVersions = (): string =>
  chosenDictionaries()
    .map(({ id, version }) => `${id}@${version ?? dictionaries.find((known) => known.id === id)?.latest_version ?? 'latest'}`)
    .join(',');

export async function loadDictionaries(): Promise<void> {
  const call = ++latestList;
  const listed = await listDictionaries();
  if (call !== latestList) return;
  dictionaries = listed;
  render();
}

/** A new key: the old account's dictionaries go. */
export function clearDictionaries(): void {
  latestList++;
  latestRules++;
  dictionaries = [];
  render();
  rulesList.replaceChildren();
  result.textContent = '';
}

/** Shows the rules of the dictionary chosen in "Add rules" (its latest version). */
async function showRules(): Promise<void> {
  const call = ++latestRules;
  const id = rulesTarget.value;
  if (!id) return void rulesList.replaceChildren();
  const dictionary = await getDictionary(id);
  if (call !== latestRules) return;
  showRulesOf(dictionary);
}

function showRulesOf(dictionary: Dictionary): void {
  rulesList.dataset.version = String(dictionary.version);
  rulesList.replaceChildren(
    ...dictionary.rules.map((rule) => {
      const item = document.createElement('li');
      item.textContent = ruleLine(rule);
      return item;
    }),
  );
}

/** A dictionary just made or changed: listed anew, and shown in "Add rules" with its rules. */
async function noteChanged(dictionary: Dictionary): Promise<void> {
  await loadDictionaries();
  rulesTarget.value = dictionary.id;
  latestRules++;
  showRulesOf(dictionary);
}

/** The rules typed in `box`, or undefined once the page has said which line is wrong or that there are none. */
function typedRules(box: HTMLTextAreaElement, none: string): PronunciationRuleInput[] | undefined {
  try {
    const rules = parseRuleLines(box.value);
    if (rules.length > 0) return rules;
    fail(new Error(none));
  } catch (error) {
    fail(error);
  }
  return undefined;
}

async function create(): Promise<void> {
  clearError();
  const name = nameInput.value.trim();
  if (!name) return fail(new Error('Give the dictionary a name.'));
  const file = fileInput.files?.[0];
  const rules = file ? undefined : typedRules(rulesText, 'Type at least one rule, or choose a PLS file.');
  if (!file && !rules) return;
  createButton.disabled = true;
  say('Creating the dictionary…');
  try {
    const dictionary = rules ? await createDictionary(name, rules) : await importDictionary(name, file!);
    await noteChanged(dictionary);
    // Chosen at once in the first free slot, so the next Speak uses it.
    const free = slots.find((slot) => !slot.select.value);
    if (free) {
      free.select.value = dictionary.id;
      free.version.value = '';
      showLatestVersions();
    }
    result.textContent = `“${dictionary.name}” is ready: ${dictionary.id}, version ${dictionary.version}, ${ruleCount(dictionary.rules.length)}.${free ? ` It is chosen as dictionary ${slots.indexOf(free) + 1}.` : ''}`;
    nameInput.value = '';
    rulesText.value = '';
    fileInput.value = '';
    say('Dictionary created.');
  } catch (error) {
    say('');
    fail(error);
  } finally {
    createButton.disabled = false;
  }
}

async function add(): Promise<void> {
  clearError();
  const id = rulesTarget.value;
  if (!id) return fail(new Error('Choose the dictionary to add the rules to.'));
  const rules = typedRules(newRules, 'Type at least one rule to add.');
  if (!rules) return;
  addButton.disabled = true;
  try {
    // The answer names the new version; its rules are read back to show them.
    const { version } = await addRules(id, rules);
    const dictionary = await getDictionary(id, version);
    await noteChanged(dictionary);
    newRules.value = '';
    result.textContent = `“${dictionary.name}” is at version ${dictionary.version}, with ${ruleCount(dictionary.rules.length)}. A slot pinned to an older version still speaks the old way.`;
  } catch (error) {
    fail(error);
  } finally {
    addButton.disabled = false;
  }
}

export function setupDictionaries(): void {
  for (const slot of slots) slot.select.addEventListener('change', showLatestVersions);
  refreshButton.addEventListener('click', () => {
    clearError();
    loadDictionaries().catch(fail);
  });
  rulesTarget.addEventListener('change', () => void showRules().catch(fail));
  onFileDrop(dropZone, (file) => {
    const files = new DataTransfer();
    files.items.add(file);
    fileInput.files = files.files;
    if (!nameInput.value) nameInput.value = file.name.replace(/\.[^.]+$/, '');
  });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file && !nameInput.value) nameInput.value = file.name.replace(/\.[^.]+$/, '');
  });
  createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void create();
  });
  rulesForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void add();
  });
  render();
}
