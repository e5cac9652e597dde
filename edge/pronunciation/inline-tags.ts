import type { SourceRun } from '../../shared/protocol/worker-api.ts';
import { toIpa } from '../../shared/pronunciation/phonetic.ts';
import type { ScriptItem, SpeechScript } from './script.ts';
import { breakMs, phoneticAlphabet } from './ssml/attribute-values.ts';
import { invalidSsml } from './ssml/invalid-ssml.ts';
import { codePointOffsets } from './ssml/text-parts.ts';

/**
 * Plain text with ElevenLabs' inline tags: `<break time="1.5s"/>` and `<phoneme alphabet="ipa"
 * ph="…">word</phoneme>` inside text that is not an SSML document, as its API takes them (and as
 * people type them). Everything else is text as written: a lone `<`, `&` or `<b>` is read aloud.
 * A break or phoneme tag that is not right (a `time` of "forever", an attribute it lacks) is 400
 * `invalid_ssml` at its place, never read aloud. `input_format: "text"` turns this off.
 */
const TAG = /<break\b([^<>]*?)\/>|<phoneme\b([^<>]*)>([^<>]*)<\/phoneme\s*>/gu;
const ATTRIBUTE = /\s*([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/uy;

function attributesOf(source: string, allowed: readonly string[], element: string, input: string, at: number): Map<string, string> {
  const attributes = new Map<string, string>();
  ATTRIBUTE.lastIndex = 0;
  let rest = source;
  while (rest.trim().length > 0) {
    ATTRIBUTE.lastIndex = 0;
    const match = ATTRIBUTE.exec(rest);
    if (!match) throw invalidSsml(`Unreadable attributes "${source.trim()}" on <${element}>`, input, at);
    const name = match[1]!;
    if (!allowed.includes(name)) throw invalidSsml(`Attribute ${name} is not allowed on <${element}> (it takes ${allowed.join(', ')})`, input, at);
    attributes.set(name, match[2] ?? match[3] ?? '');
    rest = rest.slice(match[0].length);
  }
  return attributes;
}

/** The script of plain text with inline break and phoneme tags; undefined when it has none (plain text as it is). */
export function inlineTagScript(input: string): SpeechScript | undefined {
  const matches = [...input.matchAll(TAG)];
  if (matches.length === 0) return undefined;
  const offsets = codePointOffsets(input);
  const items: ScriptItem[] = [];
  let text = '';
  let source: SourceRun[] = [];
  let characters = 0;
  const flush = () => {
    if (text.trim().length > 0) items.push({ kind: 'text', text, source });
    text = '';
    source = [];
  };
  const verbatim = (from: number, to: number) => {
    if (to <= from) return;
    const length = offsets[to]! - offsets[from]!;
    text += input.slice(from, to);
    source.push({ length, input_start: offsets[from]! });
    characters += length;
  };
  let written = 0;
  for (const match of matches) {
    const at = match.index;
    verbatim(written, at);
    written = at + match[0].length;
    if (match[1] !== undefined) {
      const attributes = attributesOf(match[1], ['time', 'strength'], 'break', input, at);
      const pause = breakMs(attributes.get('time'), attributes.get('strength'));
      if (!pause.ok) throw invalidSsml(pause.problem, input, at);
      flush();
      if (pause.value > 0) items.push({ kind: 'pause', ms: pause.value });
      continue;
    }
    const attributes = attributesOf(match[2]!, ['alphabet', 'ph'], 'phoneme', input, at);
    const alphabet = phoneticAlphabet(attributes.get('alphabet'));
    if (!alphabet.ok) throw invalidSsml(alphabet.problem, input, at);
    const ph = attributes.get('ph');
    if (ph === undefined) throw invalidSsml('<phoneme> needs its ph attribute', input, at);
    const ipa = toIpa(ph, alphabet.value);
    if (!ipa.ok) throw invalidSsml(`Invalid ph "${ph}" on <phoneme> (${alphabet.value}): ${ipa.error}`, input, at);
    const word = match[3]!;
    if (word.trim().length === 0) throw invalidSsml('<phoneme> needs the text it stands for', input, at);
    const start = at + match[0].indexOf('>') + 1;
    const length = offsets[start + word.length]! - offsets[start]!;
    text += word;
    source.push({ length, input_start: offsets[start]!, replaces: length, ipa: ipa.ipa });
    characters += length;
  }
  verbatim(written, input.length);
  flush();
  return { items, characters, format: 'text' };
}
