import type { Parsed } from '../attribute-values.ts';

/** The orders `<say-as interpret-as="date" format>` names: which fields the date has, in order. */
export const DATE_FORMATS = ['mdy', 'dmy', 'ymd', 'md', 'dm', 'ym', 'my', 'd', 'm', 'y'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export const isDateFormat = (format: string): format is DateFormat => (DATE_FORMATS as readonly string[]).includes(format);

/**
 * A numeric date ("3/5/2024", "2024-03-05") written out as the language writes dates ("March 5,
 * 2024", "5. März 2024"), by Intl.DateTimeFormat. Without a format, its fields are in the order
 * the language writes numeric dates.
 */
export function writtenDate(content: string, format: DateFormat | undefined, language: string): Parsed<string> {
  const order = format ?? numericDateOrder(language);
  const fields = content.trim().split(/[\s./-]+/);
  const notADate: Parsed<never> = { ok: false, problem: `<say-as interpret-as="date"> cannot read "${content.trim()}" as a date in the order ${order}` };
  if (fields.length !== order.length || !fields.every((field) => /^\d+$/.test(field))) return notADate;
  const value: Partial<Record<'y' | 'm' | 'd', number>> = {};
  for (let index = 0; index < order.length; index++) {
    const field = order[index] as 'y' | 'm' | 'd';
    const digits = fields[index]!;
    if (field === 'y' ? digits.length !== 4 : digits.length > 2) return notADate;
    value[field] = Number(digits);
  }
  const { y, m, d } = value;
  if (m !== undefined && (m < 1 || m > 12)) return notADate;
  // A day without a year may be the 29th of February.
  const date = new Date(Date.UTC(2000, (m ?? 1) - 1, d ?? 1));
  if (y !== undefined) date.setUTCFullYear(y);
  if (d !== undefined && (d < 1 || date.getUTCDate() !== d)) return notADate;
  const written = new Intl.DateTimeFormat(language, {
    timeZone: 'UTC',
    ...(y === undefined ? {} : { year: 'numeric' }),
    ...(m === undefined ? {} : { month: 'long' }),
    ...(d === undefined ? {} : { day: 'numeric' }),
  }).format(date);
  return { ok: true, value: written };
}

/** "mdy" for English, "dmy" for German, "ymd" for Japanese: as Intl writes a numeric date in the language. */
function numericDateOrder(language: string): DateFormat {
  const parts = new Intl.DateTimeFormat(language, { timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(0);
  const order = parts
    .filter((part) => part.type === 'year' || part.type === 'month' || part.type === 'day')
    .map((part) => part.type[0])
    .join('');
  return isDateFormat(order) ? order : 'ymd';
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([ap])\.?\s?m\.?)?$/i;

/** "14:30", "2:30pm", "09:15:30" written out as the language says the time of day, by Intl.DateTimeFormat. */
export function writtenTime(content: string, language: string): Parsed<string> {
  const match = TIME.exec(content.trim());
  const notATime: Parsed<never> = { ok: false, problem: `<say-as interpret-as="time"> cannot read "${content.trim()}" as a time (expected hh:mm, hh:mm:ss, with am or pm or not)` };
  if (match === null) return notATime;
  const [, hourText, minuteText, secondText, half] = match;
  let hour = Number(hourText);
  const minute = Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (minute > 59 || second > 59) return notATime;
  if (half === undefined) {
    if (hour > 23) return notATime;
  } else {
    if (hour < 1 || hour > 12) return notATime;
    hour = (hour % 12) + (half.toLowerCase() === 'p' ? 12 : 0);
  }
  const written = new Intl.DateTimeFormat(language, {
    timeZone: 'UTC',
    hour: 'numeric',
    minute: '2-digit',
    ...(secondText === undefined ? {} : { second: '2-digit' }),
    ...(half === undefined ? {} : { hour12: true }),
  }).format(Date.UTC(2000, 0, 1, hour, minute, second));
  return { ok: true, value: written };
}
