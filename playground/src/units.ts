/** Numbers as the page shows them: always with their unit. */
const integer = new Intl.NumberFormat();

export const formatCount = (count: number, unit: string) => `${integer.format(count)} ${unit}`;

export const formatDuration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** What a request is billed: one credit per Unicode code point of the input, as the API counts. */
export const codePoints = (text: string) => [...text].length;
