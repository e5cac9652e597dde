/** Reads `data:` events of a server-sent-events response as they arrive, with arrival times (ms since `since`). */
export async function readSseEvents(response: Response, since: number): Promise<Array<{ at: number; data: Record<string, unknown> }>> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: Array<{ at: number; data: Record<string, unknown> }> = [];
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const line = block.split('\n').find((l) => l.startsWith('data: '));
      if (line) events.push({ at: performance.now() - since, data: JSON.parse(line.slice(6)) as Record<string, unknown> });
    }
  }
  return events;
}
