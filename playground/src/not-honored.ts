/**
 * Markup the model could not honour (Qwen3 and `<phoneme>`, or a phoneme rule): the API says so in
 * the `x-tts-not-honored` header (`phoneme 12-21, phoneme 30-35`) and, on SSE, as `not_honored` in
 * the done event. Offsets are code points of the input as sent; the page words it as a notice.
 */
export interface NotHonored {
  kind: string;
  char_start: number;
  char_end: number;
  text: string;
}

const ITEM = /^([\w-]+)\s+(\d+)\s*-\s*(\d+)$/;

/** The header's items, each with the stretch of `input` it names; items it cannot read are skipped. */
export function parseNotHonoredHeader(header: string | null, input: string): NotHonored[] {
  if (!header) return [];
  const points = [...input];
  return header.split(/[,;]/).flatMap((item) => {
    const match = ITEM.exec(item.trim());
    if (!match) return [];
    const [start, end] = [Number(match[2]), Number(match[3])];
    return [{ kind: match[1]!, char_start: start, char_end: end, text: points.slice(start, end).join('') }];
  });
}

/** One sentence for the page, or '' when everything was honoured. */
export function notHonoredNotice(items: readonly NotHonored[]): string {
  if (items.length === 0) return '';
  const stretches = items.map((item) => `<${item.kind}> at characters ${item.char_start}–${item.char_end} (“${item.text}”)`);
  return `This model cannot honour ${stretches.join(', ')}: ${items.length === 1 ? 'it was' : 'they were'} said as plain text.`;
}
