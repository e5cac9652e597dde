import { apiFetch, apiJson } from './api.ts';
import { chosenDictionaries } from './dictionaries.ts';
import type { JobFormat, JobView } from './api-types.ts';
import { byId, onFileDrop } from './dom.ts';
import { clearError, fail, say } from './feedback.ts';
import { type JobAudioPlayback, playWhileRendering, playsWhileRendering } from './job-audio.ts';
import { followJobEvents } from './job-events.ts';
import { type JobLinks, offerJobFiles, withdrawJobFiles } from './job-files.ts';
import { clearJobList, markSelected, refreshJobList } from './job-list.ts';
import { clearJob, showJob } from './job-progress.ts';
import type { JobTimings } from './page-instrumentation.ts';
import { speechRequest } from './speech-options.ts';
import { beginJob } from './speech-timings.ts';
import { codePoints, formatCount } from './units.ts';

/**
 * Jobs: a long text, pasted (JSON `input`) or dropped as a text or Markdown file (multipart
 * `file`), becomes a job (`POST /v1/audio/jobs`); the panel follows its events, plays its audio
 * while it renders, offers its files when done, and lists the account's recent jobs. Model,
 * voice, language and speed are the Speak panel's; the format is the panel's own (a job's file
 * can be mp3, opus, aac or wav).
 */
const form = byId('job-form', HTMLFormElement);
const text = byId('job-text', HTMLTextAreaElement);
const textCount = byId('job-text-count', HTMLElement);
const fileInput = byId('job-file', HTMLInputElement);
const dropZone = byId('job-drop', HTMLElement);
const formatSelect = byId('job-format', HTMLSelectElement);
const submit = byId('job-submit', HTMLButtonElement);
const cancelButton = byId('job-cancel', HTMLButtonElement);
const audio = byId('job-audio', HTMLAudioElement);
const playbackNote = byId('job-playback-note', HTMLElement);
const refreshButton = byId('job-list-refresh', HTMLButtonElement);
const links: JobLinks = { audio: byId('job-download', HTMLAnchorElement), subtitles: byId('job-subtitles', HTMLAnchorElement), timestamps: byId('job-timestamps', HTMLAnchorElement) };

/** The API's MAX_JOB_CHARACTERS (edge/jobs/job-request.ts). */
const MAX_JOB_CHARACTERS = 1_000_000;
const JOB_FORMATS: readonly JobFormat[] = ['mp3', 'opus', 'aac', 'wav'];
const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** The job the panel shows: its events, its audio, its files; all stop when another is shown. */
interface Shown {
  id: string;
  aborter: AbortController;
  timings: JobTimings;
  playback?: JobAudioPlayback;
}
let shown: Shown | undefined;

for (const format of JOB_FORMATS) {
  formatSelect.add(new Option(`${format} (${playsWhileRendering(format) ? 'plays while it renders' : 'plays once rendered'})`, format, false, format === 'mp3'));
}

function showLength(): void {
  const file = fileInput.files?.[0];
  textCount.textContent = file
    ? `Sending the file ${file.name} (${formatCount(file.size, 'bytes')}); type in the box to send the text instead.`
    : `${formatCount(codePoints(text.value), 'characters')} (at most ${formatCount(MAX_JOB_CHARACTERS, 'a job')})`;
}

function useFile(file: File): void {
  const files = new DataTransfer();
  files.items.add(file);
  fileInput.files = files.files;
  showLength();
}

/** Stops following the shown job: its events, its audio, its links. */
function forget(): void {
  if (!shown) return;
  shown.aborter.abort();
  shown.playback?.stop();
  shown = undefined;
  withdrawJobFiles(links);
  audio.pause();
  audio.removeAttribute('src');
  audio.load();
  playbackNote.textContent = '';
  cancelButton.disabled = true;
}

const listJobs = () => refreshJobList(shown?.id, (id) => void select(id));

/** Shows a job: follows it while it renders (its audio playing), then offers its files. */
async function follow(view: JobView): Promise<void> {
  forget();
  const current: Shown = { id: view.id, aborter: new AbortController(), timings: beginJob(view.id, view.status) };
  shown = current;
  markSelected(view.id);
  showJob(view);
  const format = view.response_format;
  const streaming = playsWhileRendering(format);
  if (!FINISHED.has(view.status)) {
    cancelButton.disabled = false;
    if (streaming) current.playback = playWhileRendering(view.id, format, audio, () => (current.timings.playingAt ??= performance.now()));
    playbackNote.textContent = streaming ? 'Playing while it renders.' : `This browser cannot play ${format} while it renders: it plays once the job is done.`;
    try {
      view = await followJobEvents(view.id, current.aborter.signal, (next) => {
        current.timings.status = next.status;
        showJob(next);
      });
    } catch (error) {
      if (current.aborter.signal.aborted) return;
      fail(error);
      return;
    }
    current.timings.finishedAt = performance.now();
    cancelButton.disabled = true;
    say(`Job ${view.id} ${view.status}.`);
    void listJobs().catch(() => {});
  }
  current.timings.status = view.status;
  if (view.status !== 'completed') {
    current.playback?.stop();
    playbackNote.textContent = view.status === 'cancelled' ? 'Cancelled: the job has no file.' : 'The job failed: it has no file.';
    return;
  }
  try {
    const file = await offerJobFiles(view.id, format, links, current.aborter.signal);
    current.timings.downloadBytes = file.size;
    // The stream played (or plays) the file already; a format that could not stream plays now.
    if (!current.playback) {
      audio.src = URL.createObjectURL(file);
      audio.addEventListener('playing', () => (current.timings.playingAt ??= performance.now()), { once: true });
      playbackNote.textContent = 'Rendered: press play.';
    }
  } catch (error) {
    if (!current.aborter.signal.aborted) fail(error);
  }
}

async function select(id: string): Promise<void> {
  clearError();
  try {
    await follow(await apiJson<JobView>(`/v1/audio/jobs/${encodeURIComponent(id)}`));
  } catch (error) {
    fail(error);
  }
}

/** The body of `POST /v1/audio/jobs`: multipart with the chosen file, else JSON with the text. */
function jobRequest(): { json: object } | { body: FormData } {
  const { model, voice, language, speed } = speechRequest();
  const options = { ...(model ? { model } : {}), ...(voice ? { voice } : {}), ...(language ? { language } : {}), speed, response_format: formatSelect.value };
  // The Pronunciation panel's dictionaries apply to jobs too; a pasted text's SSML is recognised by the API itself.
  const dictionaries = chosenDictionaries();
  const file = fileInput.files?.[0];
  if (!file) return { json: { input: text.value, ...options, ...(dictionaries.length > 0 ? { pronunciation_dictionaries: dictionaries } : {}) } };
  const body = new FormData();
  body.set('file', file);
  for (const [name, value] of Object.entries(options)) body.set(name, String(value));
  if (dictionaries.length > 0) body.set('pronunciation_dictionaries', JSON.stringify(dictionaries));
  return { body };
}

async function startJob(): Promise<void> {
  clearError();
  submit.disabled = true;
  say('Sending the job…');
  try {
    const view = await apiJson<JobView>('/v1/audio/jobs', { method: 'POST', ...jobRequest() });
    say(`Job ${view.id} accepted: ${formatCount(view.chunks, 'chunks')}.`);
    void listJobs().catch(() => {});
    void follow(view);
  } catch (error) {
    say('');
    fail(error);
  } finally {
    submit.disabled = false;
  }
}

async function cancel(): Promise<void> {
  if (!shown) return;
  cancelButton.disabled = true;
  try {
    // The events stream then says `cancelled` and ends, which the panel shows.
    await apiFetch(`/v1/audio/jobs/${encodeURIComponent(shown.id)}`, { method: 'DELETE' });
  } catch (error) {
    cancelButton.disabled = false;
    fail(error);
  }
}

/** The recent jobs of the key just saved (best effort: a key without the speech scope lists none). */
export function loadJobs(): void {
  void listJobs().catch(() => {});
}

/** A new key: what the old one showed goes. */
export function resetJobs(): void {
  forget();
  clearJob();
  clearJobList();
  window.playground.job = null;
}

export function setupJobs(): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void startJob();
  });
  text.addEventListener('input', () => {
    fileInput.value = '';
    showLength();
  });
  fileInput.addEventListener('change', showLength);
  onFileDrop(dropZone, useFile);
  cancelButton.addEventListener('click', () => void cancel());
  refreshButton.addEventListener('click', () => listJobs().catch(fail));
  showLength();
  clearJob();
}
