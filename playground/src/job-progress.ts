import type { JobView } from './api-types.ts';
import { byId } from './dom.ts';
import { formatCount, formatDuration } from './units.ts';

/** The shown job's progress on the Jobs panel: a bar, a sentence, and its figures. */
const state = byId('job-state', HTMLElement);
const bar = byId('job-progress', HTMLProgressElement);
const figures = {
  chunks: byId('job-chunks', HTMLElement),
  inFlight: byId('job-in-flight', HTMLElement),
  retries: byId('job-retries', HTMLElement),
  characters: byId('job-characters', HTMLElement),
  audio: byId('job-audio-length', HTMLElement),
  timeLeft: byId('job-time-left', HTMLElement),
  webhook: byId('job-webhook', HTMLElement),
};

const NOT_YET = '–';
const STATES = { queued: 'queued', running: 'rendering', completed: 'completed', failed: 'failed', cancelled: 'cancelled' } as const;

function webhookText(webhook: JobView['webhook']): string {
  if (webhook.status === 'none') return 'none';
  const attempts = webhook.attempts ? ` (${formatCount(webhook.attempts, webhook.attempts === 1 ? 'attempt' : 'attempts')})` : '';
  return `${webhook.status}${attempts}${webhook.last_error ? `: ${webhook.last_error}` : ''}`;
}

export function showJob(view: JobView): void {
  const { progress } = view;
  state.dataset.status = view.status;
  state.textContent = `${view.id}: ${STATES[view.status]}${view.error ? ` (${view.error.code}: ${view.error.message})` : ''}`;
  bar.value = progress.fraction;
  bar.textContent = `${Math.round(progress.fraction * 100)} %`;
  const failed = progress.chunks_failed ? `, ${progress.chunks_failed} failed` : '';
  figures.chunks.textContent = `${progress.chunks_done} of ${view.chunks}${failed}`;
  figures.inFlight.textContent = String(progress.chunks_in_flight);
  figures.retries.textContent = String(progress.retries);
  figures.characters.textContent = `${progress.characters_done.toLocaleString()} of ${formatCount(view.characters, 'characters')}`;
  figures.audio.textContent = formatDuration(progress.audio_ms);
  figures.timeLeft.textContent = progress.estimated_seconds_left === null ? NOT_YET : formatDuration(progress.estimated_seconds_left * 1000);
  figures.webhook.textContent = webhookText(view.webhook);
}

export function clearJob(): void {
  delete state.dataset.status;
  state.textContent = '';
  bar.value = 0;
  for (const figure of Object.values(figures)) figure.textContent = NOT_YET;
}
