import { readTimedAudio, type TimedAudioEvent } from '../../shared/protocol/timed-audio.ts';
import { AUDIO_HEADERS } from '../../shared/protocol/worker-api.ts';
import type { CachedRendering } from './audio-cache-store.ts';
import { recordAudio, recordTimedAudio } from './record-behind.ts';

/**
 * The two shapes a speech is rendered in, as the cache handles them: plain audio (the worker's
 * response) and timed audio (its events: audio frames and words). Each says how a stored rendering
 * becomes its answer, and how a worker's answer is recorded behind the client.
 */
export interface RenderingKind<T> {
  /** Stored renderings this kind can be served from must hold the words. */
  timed: boolean;
  fromCache(rendering: CachedRendering): T;
  /** The worker's answer carries audio (not a refusal), made by the model version `version`. */
  isAudio(answer: T, version: string): boolean;
  record(answer: T, onWhole: (bytes: Uint8Array) => void): T;
  discard(answer: T): Promise<void>;
}

export type TimedAnswer = { response: Response; events: ReadableStream<TimedAudioEvent> | null };

/** The audio bytes of stored timed frames. */
function audioOfFrames(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return readTimedAudio(body).pipeThrough(
    new TransformStream<TimedAudioEvent, Uint8Array>({
      transform(event, controller) {
        if (event.kind === 'audio' && event.bytes.byteLength > 0) controller.enqueue(event.bytes);
      },
    }),
  );
}

const madeBy = (response: Response, version: string) => (response.headers.get(AUDIO_HEADERS.modelVersion) ?? '') === version;

export const PLAIN: RenderingKind<Response> = {
  timed: false,
  fromCache: ({ body, timed }) => new Response(timed ? audioOfFrames(body) : body, { status: 200 }),
  isAudio: (response, version) => response.ok && response.body !== null && madeBy(response, version),
  record: (response, onWhole) => new Response(recordAudio(response.body!, onWhole), { status: response.status, headers: response.headers }),
  discard: async (response) => response.body?.cancel(),
};

export const TIMED: RenderingKind<TimedAnswer> = {
  timed: true,
  fromCache: ({ body }) => ({ response: new Response(null, { status: 200 }), events: readTimedAudio(body) }),
  isAudio: ({ response, events }, version) => response.ok && events !== null && madeBy(response, version),
  record: ({ response, events }, onWhole) => ({ response, events: recordTimedAudio(events!, onWhole) }),
  discard: async ({ response, events }) => (events ?? response.body)?.cancel(),
};
