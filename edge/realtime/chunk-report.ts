import type { Env } from '../env.ts';
import { requestLogLine } from '../middleware/request-log.ts';
import type { RequestSummary, SpeechSummary } from '../middleware/request-summary.ts';
import { speechDataPoint } from '../middleware/speech-events.ts';

/**
 * A socket's chunk is reported as an HTTP speech request is: one request log line and one
 * Analytics Engine data point, under the chunk's id (`<socket>.<context>.<n>`) and the path the
 * socket was opened on (ours, or a dialect's), when its audio ends or it was refused (`status`
 * then says how, and `speech.outcome` is `no_audio`).
 */
export function reportChunk(
  env: Env,
  chunk: { id: string; path: string; accountId: string; status: number; startedAt: number; endedAt: number; speech: SpeechSummary },
): void {
  const summary: RequestSummary = {
    requestId: chunk.id,
    method: 'WS',
    path: chunk.path,
    status: chunk.status,
    durationMs: chunk.endedAt - chunk.startedAt,
    accountId: chunk.accountId,
    speech: chunk.speech,
  };
  console.log(JSON.stringify(requestLogLine(summary)));
  env.SPEECH_EVENTS?.writeDataPoint(speechDataPoint(summary));
}
