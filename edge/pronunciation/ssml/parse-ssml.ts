import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { toIpa } from '../../../shared/pronunciation/phonetic.ts';
import { MAX_SSML_CHARACTERS } from '../../../shared/schemas/speech.ts';
import type { SpeechScript } from '../script.ts';
import { BREAK_STRENGTHS, breakMs, emphasisLevel, languageTag, type Parsed, phoneticAlphabet, rateMultiplier } from './attribute-values.ts';
import { MAX_SSML_DEPTH, SSML_ELEMENTS, SSML_NAMESPACE, isSsmlElement } from './elements.ts';
import { invalidSsml } from './invalid-ssml.ts';
import { type DateFormat, DATE_FORMATS, isDateFormat } from './say-as/date-time.ts';
import { type InterpretAs, INTERPRET_AS, isInterpretAs, sayAs } from './say-as/say-as.ts';
import { ScriptBuilder, type Style } from './script-builder.ts';
import { characterData, codePointOffsets, type TextPart, verbatimData } from './text-parts.ts';

export interface SsmlOptions {
  /** The request's language: what the text is in where no xml:lang says. */
  language?: string;
  /** The language of a text, for a say-as that needs one when neither xml:lang nor the request names it. */
  guessLanguage(text: string): string;
  /** The longest document, markup included, in code points; default MAX_SSML_CHARACTERS (a speech request's). */
  maxCharacters?: number;
}

/** A nested `<prosody rate>` multiplies; the product is kept where the worker protocol takes it. */
const MIN_RATE_PRODUCT = 1 / 16;
const MAX_RATE_PRODUCT = 16;

interface Frame {
  name: string;
  /** Where its start tag begins (UTF-16). */
  start: number;
  style: Style;
  /** sub, phoneme, say-as: the text inside, said differently. */
  leaf?: Leaf;
}

type Leaf =
  | { kind: 'sub'; alias: string; parts: TextPart[] }
  | { kind: 'phoneme'; ipa: string; parts: TextPart[] }
  | { kind: 'say-as'; interpretAs: InterpretAs; format?: DateFormat; parts: TextPart[] };

/** A say-as is read out once the whole document is known: its language may have to be guessed from all the text. */
interface PendingSayAs {
  part: TextPart;
  content: string;
  interpretAs: InterpretAs;
  format?: DateFormat;
  language?: string;
  start: number;
}

/**
 * SSML (the subset docs/pronunciation.md lists) to a speech script. saxes checks that it is
 * well-formed XML; this walks its events and refuses anything outside the subset at its position
 * (invalid-ssml.ts). Text is taken from `input` itself between the markup saxes reports, so every
 * run keeps the code-point offsets of what the user wrote.
 */
export function parseSsmlScript(input: string, options: SsmlOptions): SpeechScript {
  const limit = options.maxCharacters ?? MAX_SSML_CHARACTERS;
  const overlong = overlongAt(input, limit);
  if (overlong >= 0) {
    // A fault within the allowed length says more than the length (10,000 nested tags: the 33rd is
    // refused), and reading no further keeps the work bounded.
    new SsmlReader(input.slice(0, overlong), options).check();
    throw invalidSsml(`SSML is longer than ${limit} characters`, input, overlong);
  }
  return new SsmlReader(input, options).read();
}

/** Where (UTF-16) the input passes `limit` code points, or -1 when it does not. */
function overlongAt(input: string, limit: number): number {
  if (input.length <= limit) return -1;
  let codePoints = 0;
  for (let index = 0; index < input.length; index++) {
    const unit = input.charCodeAt(index);
    if (unit >= 0xdc00 && unit <= 0xdfff && index > 0) {
      const previous = input.charCodeAt(index - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) continue;
    }
    if (codePoints === limit) return index;
    codePoints++;
  }
  return -1;
}

class SsmlReader {
  private readonly offsets: Uint32Array;
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly builder = new ScriptBuilder();
  private readonly stack: Frame[] = [];
  private readonly sayAs: PendingSayAs[] = [];
  /** The text as the user wrote it, for billing. */
  private readonly spoken: string[] = [];
  /** Where the last markup ended (UTF-16): character data runs from here to the next "<". */
  private markupEnd = 0;

  private readonly input: string;
  private readonly options: SsmlOptions;

  constructor(input: string, options: SsmlOptions) {
    this.input = input;
    this.options = options;
    this.offsets = codePointOffsets(input);
    const parser = this.parser;
    parser.on('xmldecl', () => {
      this.markupEnd = parser.position;
    });
    parser.on('processinginstruction', ({ target }) => {
      throw this.error(`Processing instruction <?${target}?> is not SSML`, this.nextMarkup());
    });
    parser.on('doctype', () => {
      throw this.error('A DOCTYPE declaration (and any entity it declares) is not allowed in SSML', this.nextMarkup());
    });
    parser.on('comment', () => {
      const start = this.nextMarkup();
      this.characterDataUpTo(start);
      this.markupEnd = this.input.indexOf('-->', start + 4) + 3;
    });
    parser.on('cdata', () => {
      const start = this.nextMarkup();
      this.characterDataUpTo(start);
      const contentStart = start + '<![CDATA['.length;
      const end = this.input.indexOf(']]>', contentStart);
      this.content(verbatimData(this.input, contentStart, end, this.offsets), contentStart);
      this.markupEnd = end + 3;
    });
    parser.on('opentag', (tag) => {
      const start = this.nextMarkup();
      this.characterDataUpTo(start);
      this.markupEnd = parser.position;
      this.open(tag, start);
    });
    parser.on('closetag', (tag) => {
      if (!tag.isSelfClosing) {
        const start = this.nextMarkup();
        // saxes reports the open elements a wrong end tag skips as closed before it objects.
        const name = this.input.slice(start + 2, parser.position - 1).trim();
        if (name !== tag.name) throw this.error(`</${name}> does not close <${tag.name}>`, start);
        this.characterDataUpTo(start);
        this.markupEnd = parser.position;
      }
      this.close();
    });
    parser.on('error', (error) => {
      throw this.translate(error.message.replace(/^\d+:\d+: /, ''));
    });
  }

  /** Reads the input as far as it goes, throwing its first fault; an input cut short is no fault here. */
  check(): void {
    this.parser.write(this.input);
  }

  read(): SpeechScript {
    this.parser.write(this.input).close();
    this.readOutSayAs();
    const characters = [...this.spoken.join('').replace(/\s+/gu, ' ').trim()].length;
    return { items: this.builder.finish(), characters, format: 'ssml' };
  }

  private error(problem: string, at: number) {
    return invalidSsml(problem, this.input, at);
  }

  /** The "<" that starts the markup being reported: character data holds none. */
  private nextMarkup(): number {
    return this.input.indexOf('<', this.markupEnd);
  }

  private characterDataUpTo(end: number): void {
    if (end > this.markupEnd) this.content(characterData(this.input, this.markupEnd, end, this.offsets), this.markupEnd);
  }

  /** Text found inside the current element; `at` is where it starts (UTF-16). */
  private content(parts: TextPart[], at: number): void {
    const frame = this.stack.at(-1);
    if (frame === undefined) return; // Whitespace around the root: saxes refuses anything else there.
    this.spoken.push(...parts.map((part) => part.text));
    if (frame.name === 'break') {
      if (parts.some((part) => /\S/u.test(part.text))) throw this.error('<break> takes no content: text', at);
      return;
    }
    if (frame.leaf !== undefined) frame.leaf.parts.push(...parts);
    else for (const part of parts) this.builder.add(part, frame.style);
  }

  private open(tag: SaxesTagPlain, start: number): void {
    const { name, attributes } = tag;
    const parent = this.stack.at(-1);
    if (this.stack.length >= MAX_SSML_DEPTH) throw this.error(`SSML nests deeper than ${MAX_SSML_DEPTH} elements: <${name}>`, start);
    if (parent === undefined && name !== 'speak') throw this.error(`The root element must be <speak>, not <${name}>`, start);
    if (!isSsmlElement(name)) throw this.error(`Unknown SSML element <${name}>`, start);
    if (parent !== undefined && name === 'speak') throw this.error('<speak> inside <speak>', start);
    const parentContent = parent === undefined ? undefined : SSML_ELEMENTS[parent.name]!.content;
    if (parentContent !== undefined) throw this.error(`<${name}> inside <${parent!.name}> (it takes ${parentContent === 'text' ? 'text only' : 'no content'})`, start);

    const rule = SSML_ELEMENTS[name]!;
    for (const attribute of Object.keys(attributes)) {
      if (!rule.attributes.includes(attribute)) throw this.error(`Unknown attribute ${attribute} on <${name}>`, this.attributeAt(start, attribute));
    }
    for (const attribute of rule.required ?? []) {
      if (attributes[attribute] === undefined) throw this.error(`<${name}> needs the attribute ${attribute}`, start);
    }
    const value = <T>(parsed: Parsed<T>, attribute: string): T => {
      if (!parsed.ok) throw this.error(parsed.problem, this.attributeAt(start, attribute));
      return parsed.value;
    };

    const style: Style = { ...parent?.style };
    const frame: Frame = { name, start, style };
    switch (name) {
      case 'speak':
        if (attributes.xmlns !== undefined && attributes.xmlns !== SSML_NAMESPACE) throw this.error(`xmlns on <speak> must be "${SSML_NAMESPACE}"`, this.attributeAt(start, 'xmlns'));
        if (attributes['xml:lang'] !== undefined) style.language = value(languageTag(attributes['xml:lang'], name), 'xml:lang');
        break;
      case 'lang':
        style.language = value(languageTag(attributes['xml:lang']!, name), 'xml:lang');
        break;
      case 'prosody': {
        const rate = (style.rate ?? 1) * value(rateMultiplier(attributes.rate!), 'rate');
        const kept = Math.min(MAX_RATE_PRODUCT, Math.max(MIN_RATE_PRODUCT, rate));
        if (kept === 1) delete style.rate;
        else style.rate = kept;
        break;
      }
      case 'emphasis':
        style.emphasis = value(emphasisLevel(attributes.level), 'level');
        break;
      case 'p':
      case 's':
        this.builder.endSentence();
        break;
      case 'break': {
        const ms = value(breakMs(attributes.time, attributes.strength), attributes.time !== undefined ? 'time' : 'strength');
        this.builder.pause(ms);
        break;
      }
      case 'sub': {
        const alias = attributes.alias!.replace(/\s+/gu, ' ').trim();
        if (alias === '') throw this.error('<sub> alias is empty', this.attributeAt(start, 'alias'));
        frame.leaf = { kind: 'sub', alias, parts: [] };
        break;
      }
      case 'phoneme': {
        const alphabet = value(phoneticAlphabet(attributes.alphabet), 'alphabet');
        const ipa = toIpa(attributes.ph!, alphabet);
        if (!ipa.ok) throw this.error(`Invalid ph "${attributes.ph}" on <phoneme> (${alphabet}): ${ipa.error.replace(/\.$/, '')}`, this.attributeAt(start, 'ph'));
        frame.leaf = { kind: 'phoneme', ipa: ipa.ipa, parts: [] };
        break;
      }
      case 'say-as': {
        const interpretAs = attributes['interpret-as']!;
        if (!isInterpretAs(interpretAs)) throw this.error(`Invalid interpret-as "${interpretAs}" on <say-as> (expected one of ${INTERPRET_AS.join(', ')})`, this.attributeAt(start, 'interpret-as'));
        const format = attributes.format;
        if (format !== undefined && (interpretAs !== 'date' || !isDateFormat(format))) {
          const expected = interpretAs === 'date' ? `one of ${DATE_FORMATS.join(', ')}` : 'only with interpret-as="date"';
          throw this.error(`Invalid format "${format}" on <say-as> (${expected})`, this.attributeAt(start, 'format'));
        }
        // `detail` is taken as Polly and Google take it, and changes nothing here.
        frame.leaf = { kind: 'say-as', interpretAs, ...(format === undefined ? {} : { format: format as DateFormat }), parts: [] };
        break;
      }
    }
    this.stack.push(frame);
  }

  private close(): void {
    const frame = this.stack.pop()!;
    if (frame.leaf !== undefined) this.said(frame, frame.leaf);
    else if (frame.name === 'p') this.builder.pauseIfSpeechFollows(BREAK_STRENGTHS.strong!);
    else if (frame.name === 's') this.builder.endSentence();
  }

  /** A sub, phoneme or say-as: one run said in place of the text inside it. */
  private said(frame: Frame, leaf: Leaf): void {
    const content = leaf.parts.map((part) => part.text).join('').replace(/\s+/gu, ' ').trim();
    if (content === '') throw this.error(`<${frame.name}> has no text to stand for`, frame.start);
    const { input_start, replaces } = replacedSpan(leaf.parts);
    const text = leaf.kind === 'sub' ? leaf.alias : content;
    const part: TextPart = { text, run: { length: [...text].length, input_start, replaces, ...(leaf.kind === 'phoneme' ? { ipa: leaf.ipa } : {}) } };
    if (leaf.kind === 'say-as') {
      this.sayAs.push({ part, content, interpretAs: leaf.interpretAs, format: leaf.format, language: frame.style.language, start: frame.start });
    }
    this.builder.add(part, frame.style);
  }

  private readOutSayAs(): void {
    let guessed: string | undefined;
    for (const pending of this.sayAs) {
      const language = pending.language ?? this.options.language ?? (guessed ??= this.options.guessLanguage(this.spoken.join('')));
      const words = sayAs(pending.interpretAs, pending.content, language, pending.format);
      if (!words.ok) throw this.error(words.problem, pending.start);
      pending.part.text = words.value;
      pending.part.run.length = [...words.value].length;
    }
  }

  /** Where an attribute's name starts in its start tag, for errors about it. */
  private attributeAt(tagStart: number, name: string): number {
    // Called while the tag is open: it ends where saxes is (a value may hold a ">").
    const tag = this.input.slice(tagStart, this.markupEnd);
    for (const match of tag.matchAll(/\s([^\s=]+)\s*=\s*(?:"[^"]*"|'[^']*')/g)) {
      if (match[1] === name) return tagStart + match.index + 1;
    }
    return tagStart;
  }

  /** saxes' well-formedness errors, said where the problem is. */
  private translate(message: string) {
    const position = this.parser.position;
    const unclosed = /^unclosed tag: (.*)$/.exec(message);
    if (unclosed !== null) return this.error(`Unclosed element <${unclosed[1]}>`, this.stack.at(-1)?.start ?? position);
    if (message === 'undefined entity.') {
      const at = this.input.lastIndexOf('&', position - 1);
      return this.error(`Unknown entity ${this.input.slice(at, position)} (SSML takes &amp; &lt; &gt; &quot; &apos; and character references)`, at);
    }
    if (message === 'text data outside of root node.') {
      const text = this.input.slice(this.markupEnd).search(/\S/u);
      return this.error('Text outside <speak>', text >= 0 ? this.markupEnd + text : Math.max(0, position - 1));
    }
    if (message === 'documents may contain only one root.') return this.error('A second root element (SSML has one <speak>)', this.input.lastIndexOf('<', position - 1));
    if (message === 'document must contain a root element.') return this.error('No <speak> element', 0);
    return this.error(`Malformed SSML: ${message.replace(/\.$/, '')}`, Math.max(0, position - 1));
  }
}

/** The input a sub, phoneme or say-as stands for: from its first to its last character that is not whitespace. */
function replacedSpan(parts: TextPart[]): { input_start: number; replaces: number } {
  const spoken = parts.filter((part) => /\S/u.test(part.text));
  const first = spoken[0]!;
  const last = spoken.at(-1)!;
  const start = first.run.replaces === undefined ? first.run.input_start + [.../^\s*/u.exec(first.text)![0]].length : first.run.input_start;
  const end =
    last.run.replaces === undefined ? last.run.input_start + last.run.length - [.../\s*$/u.exec(last.text)![0]].length : last.run.input_start + last.run.replaces;
  return { input_start: start, replaces: end - start };
}
