import { SaxesParser } from 'saxes';

/**
 * The text an SSML document says, as the API bills it: its text content (markup and attributes,
 * such as a `<sub>`'s alias, are not billed), whitespace runs as one space, trimmed. Read with
 * saxes, the strict XML parser the edge uses, so entities and CDATA count as they do there;
 * undefined when the document is not well-formed XML (the API answers where it is not).
 */
export function ssmlText(input: string): string | undefined {
  // No custom entities are defined: a DOCTYPE's are not expanded, and an unknown one is an error.
  const parser = new SaxesParser({ position: false });
  const text: string[] = [];
  parser.on('text', (chunk) => text.push(chunk));
  parser.on('cdata', (chunk) => text.push(chunk));
  try {
    parser.write(input).close();
  } catch {
    return undefined;
  }
  return text.join('').replace(/\s+/gu, ' ').trim();
}
