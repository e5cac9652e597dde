import { LANGUAGE_CODES } from '../../shared/languages.ts';
import { ApiFailure, apiJson } from './api.ts';
import type { Voice } from './api-types.ts';
import { byId, onFileDrop } from './dom.ts';
import { clearError, fail, say } from './feedback.ts';
import { startRecording, type Recording } from './recorder.ts';
import { fillLanguages, newVoiceSentence } from './speech-options.ts';

/**
 * Clone a voice: a clip from the microphone, or a file chosen or dropped (both end up in
 * #clone-file, the one place the form reads), a name, consent; `POST /v1/voices` (multipart).
 */
const form = byId('clone-form', HTMLFormElement);
const fileInput = byId('clone-file', HTMLInputElement);
const dropZone = byId('clone-drop', HTMLElement);
const recordButton = byId('record', HTMLButtonElement);
const recordTime = byId('record-time', HTMLElement);
const clipPreview = byId('clone-clip', HTMLAudioElement);
const nameInput = byId('clone-name', HTMLInputElement);
const transcript = byId('clone-transcript', HTMLTextAreaElement);
const language = byId('clone-language', HTMLSelectElement);
const consent = byId('clone-consent', HTMLInputElement);
const submit = byId('clone-submit', HTMLButtonElement);
const result = byId('clone-result', HTMLElement);

/** The API takes 3 to 30 s: a recording stops itself at the limit. */
const MAX_RECORDING_MS = 30_000;

function useClip(file: File): void {
  const files = new DataTransfer();
  files.items.add(file);
  fileInput.files = files.files;
  showClip();
}

function showClip(): void {
  const file = fileInput.files?.[0];
  if (clipPreview.src) URL.revokeObjectURL(clipPreview.src);
  clipPreview.hidden = !file;
  if (!file) return clipPreview.removeAttribute('src');
  clipPreview.src = URL.createObjectURL(file);
  if (!nameInput.value) nameInput.value = file.name.replace(/\.[^.]+$/, '');
}

/** The recording under way: pressed at once (the microphone may take a moment to open). */
let recording: { started: Promise<Recording>; timer: number } | undefined;

function showRecording(on: boolean): void {
  recordButton.setAttribute('aria-pressed', String(on));
  recordButton.textContent = on ? 'Stop recording' : 'Record';
}

async function toggleRecording(): Promise<void> {
  if (recording) return finishRecording();
  clearError();
  const current = { started: startRecording(), timer: 0 };
  recording = current;
  showRecording(true);
  recordTime.textContent = '';
  try {
    await current.started;
  } catch (error) {
    if (recording === current) recording = undefined;
    showRecording(false);
    return fail(error);
  }
  const startedAt = performance.now();
  current.timer = window.setInterval(() => {
    const elapsed = performance.now() - startedAt;
    recordTime.textContent = `${Math.floor(elapsed / 1000)} s`;
    if (elapsed >= MAX_RECORDING_MS) void finishRecording();
  }, 250);
  say('Recording: speak for 3 to 30 seconds, then press Stop recording.');
}

async function finishRecording(): Promise<void> {
  const current = recording;
  if (!current) return;
  recording = undefined;
  clearInterval(current.timer);
  showRecording(false);
  const clip = await current.started.then((started) => started.stop()).catch(() => undefined); // a failed start was reported
  if (!clip) return;
  useClip(clip);
  if (!nameInput.value || nameInput.value === 'recording') nameInput.value = 'My voice';
  say('Recorded. Listen to it, then clone it.');
}

/** The form's own checks, in the API's words, so a 10 MB upload is not sent to be refused. */
function missing(): string | undefined {
  if (!fileInput.files?.length) return 'missing_file';
  if (!consent.checked) return 'consent_required';
  return undefined;
}

async function cloneVoice(onVoice: (voice: Voice) => void): Promise<void> {
  clearError();
  if (recording) await finishRecording();
  const problem = missing();
  if (problem) return fail(new ApiFailure(400, problem, problem));
  if (!nameInput.value.trim()) return fail(new Error('Give the voice a name.'));
  const body = new FormData();
  body.set('file', fileInput.files![0]!);
  body.set('name', nameInput.value.trim());
  body.set('consent', 'true');
  if (transcript.value.trim()) body.set('transcript', transcript.value.trim());
  if (language.value) body.set('language', language.value);
  submit.disabled = true;
  say('Cloning the voice…');
  try {
    const voice = await apiJson<Voice>('/v1/voices', { method: 'POST', body });
    result.textContent = newVoiceSentence(voice);
    onVoice(voice);
    say('Voice cloned.');
  } catch (error) {
    fail(error);
    say('');
  } finally {
    submit.disabled = false;
  }
}

export function setupClone(onVoice: (voice: Voice) => void): void {
  fillLanguages(language, LANGUAGE_CODES);
  fileInput.addEventListener('change', showClip);
  recordButton.addEventListener('click', () => void toggleRecording());
  onFileDrop(dropZone, useClip);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void cloneVoice(onVoice);
  });
}
