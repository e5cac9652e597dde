/**
 * What the Live panel's typing added since it last sent text: new text at the end, or text
 * inserted mid-way (sent now, as it is the newest: what was sent is already being said). Deleting
 * or replacing text sends nothing, for the same reason.
 */
export function typedSince(sent: string, now: string): string {
  if (now.startsWith(sent)) return now.slice(sent.length);
  const added = now.length - sent.length;
  if (added <= 0) return '';
  let at = 0;
  while (at < sent.length && sent[at] === now[at]) at++;
  return now.slice(0, at) + now.slice(at + added) === sent ? now.slice(at, at + added) : '';
}
