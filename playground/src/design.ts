import { LANGUAGE_CODES } from '../../shared/languages.ts';
import { apiJson } from './api.ts';
import type { DesignedVoice, Voice } from './api-types.ts';
import { byId } from './dom.ts';
import { clearError, fail, say } from './feedback.ts';
import { fillLanguages, newVoiceSentence } from './speech-options.ts';

/** Design a voice from words: `POST /v1/voices/design` with `preview: true`, then play the preview it answers. */
const form = byId('design-form', HTMLFormElement);
const description = byId('design-description', HTMLTextAreaElement);
const nameInput = byId('design-name', HTMLInputElement);
const language = byId('design-language', HTMLSelectElement);
const submit = byId('design-submit', HTMLButtonElement);
const preview = byId('design-preview', HTMLAudioElement);
const result = byId('design-result', HTMLElement);

async function designVoice(onVoice: (voice: Voice) => void): Promise<void> {
  clearError();
  if (!description.value.trim()) return fail(new Error('Describe the voice first, e.g. “a calm, low narrator”.'));
  submit.disabled = true;
  say('Designing the voice…');
  try {
    const voice = await apiJson<DesignedVoice>('/v1/voices/design', {
      method: 'POST',
      json: { description: description.value.trim(), ...(nameInput.value.trim() ? { name: nameInput.value.trim() } : {}), language: language.value, preview: true },
    });
    if (voice.preview) {
      preview.src = `data:audio/wav;base64,${voice.preview.audio}`;
      preview.hidden = false;
      preview.play().catch(() => {}); // without a recent click the browser may wait for the play button
    }
    result.textContent = newVoiceSentence(voice);
    onVoice(voice);
    say('Voice designed: its preview plays.');
  } catch (error) {
    fail(error);
    say('');
  } finally {
    submit.disabled = false;
  }
}

export function setupDesign(onVoice: (voice: Voice) => void): void {
  fillLanguages(language, LANGUAGE_CODES, '');
  language.value = 'en';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void designVoice(onVoice);
  });
}
