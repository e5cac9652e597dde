import { toIpa } from '../../shared/pronunciation/phonetic.ts';
import type { SourceRun } from '../../shared/protocol/worker-api.ts';
import type { DictionaryRules } from '../../shared/schemas/pronunciation.ts';
import type { ScriptItem, ScriptText, SpeechScript } from './script.ts';

/**
 * Pronunciation dictionaries applied to a speech script. Rules match only text said as the user
 * wrote it (verbatim runs), never what an SSML element or an earlier rule put in its place.
 * Scanning the text once, at each position the dictionaries are tried in the order named and
 * their rules in order: the leftmost match wins, and at one position the earlier rule. Rules are
 * indexed by their first character (case-folded), so a position costs only the rules that could
 * start there: 3 × 1,000 rules over a 1,200-character chunk take about a millisecond. (Aho–Corasick
 * packages on npm match whole-text keyword sets, not "first rule at the leftmost position, with
 * case and word-boundary options per rule", and this index is a few lines.)
 */
export function applyDictionaries(script: SpeechScript, dictionaries: DictionaryRules[]): SpeechScript {
  const named = [...(script.dictionaries ?? []), ...dictionaries.map(({ id, version }) => `${id}@${version}`)];
  const compiled = dictionaries.map(compile).filter((dictionary) => dictionary.size > 0);
  if (compiled.length === 0) return named.length > 0 ? { ...script, dictionaries: named } : script;
  return { ...script, dictionaries: named, items: script.items.map((item): ScriptItem => (item.kind === 'text' ? applyToText(item, compiled) : item)) };
}

interface CompiledRule {
  /** The string to replace as code points; case-folded unless the rule is case-sensitive. */
  pattern: string[];
  caseSensitive: boolean;
  wordBoundaries: boolean;
  alias?: string;
  ipa?: string;
}

/** A dictionary's rules in order, under the case-folded first character of their string. */
type CompiledDictionary = Map<string, CompiledRule[]>;

/** A dictionary version never changes, so the object a store hands out again is compiled once. */
const compiledDictionaries = new WeakMap<DictionaryRules, CompiledDictionary>();

function compile(dictionary: DictionaryRules): CompiledDictionary {
  const cached = compiledDictionaries.get(dictionary);
  if (cached !== undefined) return cached;
  const byFirst: CompiledDictionary = new Map();
  dictionary.rules.forEach((rule, index) => {
    const characters = [...rule.string_to_replace];
    const compiledRule: CompiledRule = {
      pattern: rule.case_sensitive ? characters : characters.map(fold),
      caseSensitive: rule.case_sensitive,
      wordBoundaries: rule.word_boundaries,
    };
    if (rule.type === 'alias') compiledRule.alias = rule.alias;
    else {
      const ipa = toIpa(rule.phoneme, rule.alphabet);
      // Stored rules were checked when written; one that is not is a bug, not the request's fault.
      if (!ipa.ok) throw new Error(`Dictionary ${dictionary.id} version ${dictionary.version}, rule ${index + 1}: ${ipa.error}`);
      compiledRule.ipa = ipa.ipa;
    }
    const first = fold(characters[0]!);
    const rules = byFirst.get(first);
    if (rules === undefined) byFirst.set(first, [compiledRule]);
    else rules.push(compiledRule);
  });
  compiledDictionaries.set(dictionary, byFirst);
  return byFirst;
}

/**
 * One code point's case-insensitive form (as Unicode's simple case folding, so "Σ", "σ" and "ς"
 * are one), kept as it is where folding would change the number of code points ("ß", "İ"), so that
 * positions in the folded text are positions in the text.
 */
function fold(character: string): string {
  const code = character.charCodeAt(0);
  // ASCII is most of what rules and text hold, and the case functions are slow per character.
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 0x20) : character;
  let folded = foldedCharacters.get(character);
  if (folded === undefined) {
    const changed = character.toUpperCase().toLowerCase();
    folded = [...changed].length === 1 ? changed : character;
    if (foldedCharacters.size < MAX_FOLDED_CHARACTERS) foldedCharacters.set(character, folded);
  }
  return folded;
}

/** Folding remembered for the characters met (a few alphabets' worth at most). */
const foldedCharacters = new Map<string, string>();
const MAX_FOLDED_CHARACTERS = 10_000;

const WORD_CHARACTER = /^[\p{L}\p{N}\p{M}]$/u;
const isWordCharacter = (character: string | undefined) => character !== undefined && WORD_CHARACTER.test(character);

function applyToText(item: ScriptText, dictionaries: CompiledDictionary[]): ScriptText {
  const characters = [...item.text];
  const folded = characters.map(fold);
  const pieces: string[] = [];
  const source: SourceRun[] = [];
  let changed = false;
  let runStart = 0;
  for (const run of item.source) {
    const runEnd = runStart + run.length;
    if (run.replaces !== undefined) {
      pieces.push(characters.slice(runStart, runEnd).join(''));
      source.push(run);
      runStart = runEnd;
      continue;
    }
    // Verbatim text as written: from `kept` on it is not yet in `pieces`.
    let kept = runStart;
    const keepUpTo = (end: number) => {
      if (end === kept) return;
      pieces.push(characters.slice(kept, end).join(''));
      source.push({ length: end - kept, input_start: run.input_start + (kept - runStart) });
    };
    for (let at = runStart; at < runEnd; ) {
      const rule = firstMatch(characters, folded, at, runEnd, dictionaries);
      if (rule === undefined) {
        at++;
        continue;
      }
      const length = rule.pattern.length;
      keepUpTo(at);
      const inputStart = run.input_start + (at - runStart);
      if (rule.alias !== undefined) {
        pieces.push(rule.alias);
        source.push({ length: [...rule.alias].length, input_start: inputStart, replaces: length });
      } else {
        pieces.push(characters.slice(at, at + length).join(''));
        source.push({ length, input_start: inputStart, replaces: length, ipa: rule.ipa! });
      }
      changed = true;
      at += length;
      kept = at;
    }
    keepUpTo(runEnd);
    runStart = runEnd;
  }
  return changed ? { ...item, text: pieces.join(''), source } : item;
}

/** The first rule, of the first dictionary, that matches at `at` and ends within the run. */
function firstMatch(characters: string[], folded: string[], at: number, runEnd: number, dictionaries: CompiledDictionary[]): CompiledRule | undefined {
  for (const dictionary of dictionaries) {
    const candidates = dictionary.get(folded[at]!);
    if (candidates === undefined) continue;
    for (const rule of candidates) {
      const length = rule.pattern.length;
      if (at + length > runEnd) continue;
      const text = rule.caseSensitive ? characters : folded;
      let matches = true;
      for (let index = 0; index < length && matches; index++) matches = text[at + index] === rule.pattern[index];
      if (!matches) continue;
      if (rule.wordBoundaries && (isWordCharacter(characters[at - 1]) || isWordCharacter(characters[at + length]))) continue;
      return rule;
    }
  }
  return undefined;
}
