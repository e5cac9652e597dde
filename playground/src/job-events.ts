import { EventSourceParserStream } from 'eventsource-parser/stream';
import { apiFetch } from './api.ts';
import type { JobView } from './api-types.ts';

/**
 * A job's progress from `GET /v1/audio/jobs/{id}/events`. EventSource cannot send the key, so
 * the stream is read with fetch and parsed by eventsource-parser. Each `progress`, `completed`,
 * `failed` or `cancelled` event carries the job's view; a stream that drops before a final event
 * is opened again with `Last-Event-ID`, so no change is missed or shown twice.
 * Resolves with the final view; rejects when aborted or when the API refuses.
 */
const FINAL_EVENTS = new Set(['completed', 'failed', 'cancelled']);
/** Reconnects in a row without an event in between before giving up. */
const MAX_RECONNECTS = 3;

export async function followJobEvents(id: string, signal: AbortSignal, onView: (view: JobView) => void): Promise<JobView> {
  let lastEventId: string | undefined;
  let reconnects = 0;
  for (;;) {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
    const response = await apiFetch(`/v1/audio/jobs/${encodeURIComponent(id)}/events`, { headers, signal });
    const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
    try {
      for (let read = await events.read(); !read.done; read = await events.read()) {
        const event = read.value;
        reconnects = 0;
        lastEventId = event.id ?? lastEventId;
        const view = JSON.parse(event.data) as JobView;
        onView(view);
        if (FINAL_EVENTS.has(event.event ?? '')) return view;
      }
    } catch (error) {
      if (signal.aborted) throw error;
    }
    if (++reconnects > MAX_RECONNECTS) throw new Error('The job’s progress stream kept breaking off. Select the job again to follow it.');
  }
}
