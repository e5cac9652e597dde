/**
 * The SSML the edge speaks: these elements with these attributes, nothing else (anything else is
 * refused, never read aloud or ignored). `required` attributes must be present.
 */
export const SSML_NAMESPACE = 'http://www.w3.org/2001/10/synthesis';

/** Elements deeper than this are refused (the root is depth 1). */
export const MAX_SSML_DEPTH = 32;

interface ElementRule {
  attributes: readonly string[];
  required?: readonly string[];
  /** Only text inside (sub, phoneme, say-as: the text they stand for), or nothing at all (break). */
  content?: 'text' | 'empty';
}

export const SSML_ELEMENTS: Record<string, ElementRule> = {
  speak: { attributes: ['xml:lang', 'version', 'xmlns', 'xmlns:xsi', 'xsi:schemaLocation'] },
  break: { attributes: ['time', 'strength'], content: 'empty' },
  phoneme: { attributes: ['alphabet', 'ph'], required: ['ph'], content: 'text' },
  sub: { attributes: ['alias'], required: ['alias'], content: 'text' },
  'say-as': { attributes: ['interpret-as', 'format', 'detail'], required: ['interpret-as'], content: 'text' },
  prosody: { attributes: ['rate'], required: ['rate'] },
  lang: { attributes: ['xml:lang'], required: ['xml:lang'] },
  p: { attributes: [] },
  s: { attributes: [] },
  emphasis: { attributes: ['level'] },
};

export const isSsmlElement = (name: string) => Object.hasOwn(SSML_ELEMENTS, name);
