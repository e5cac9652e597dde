import { onRequestDone, type RequestSummary } from './request-summary.ts';

/** The request log line: JSON, so Workers Logs and `wrangler tail` can filter on its fields. */
export function requestLogLine({ requestId, method, path, status, durationMs, accountId, speech }: RequestSummary): Record<string, unknown> {
  return {
    level: 'info',
    message: 'request',
    request_id: requestId,
    method,
    path,
    status,
    duration_ms: durationMs,
    ...(accountId === undefined ? {} : { account_id: accountId }),
    ...(speech && {
      model: speech.model,
      cache: speech.cache,
      format: speech.format,
      characters: speech.characters,
      ttfb_ms: speech.ttfbMs,
      outcome: speech.outcome,
      bytes: speech.bytes,
    }),
  };
}

/**
 * One structured line per request, written when the request is over (for speech, when its audio
 * stream ends). It names the path without its query string and no header but the request id
 * (which request-id.ts accepts only short and plain): nothing secret reaches the logs.
 */
export const requestLog = onRequestDone((summary) => console.log(JSON.stringify(requestLogLine(summary))));
