import { forgetToken, refreshToken, setupClientToken } from './client-token.ts';
import { setupClone } from './clone.ts';
import { setupDesign } from './design.ts';
import { clearDictionaries, loadDictionaries, setupDictionaries } from './dictionaries.ts';
import { byId } from './dom.ts';
import { clearError, fail, say } from './feedback.ts';
import { loadJobs, resetJobs, setupJobs } from './jobs.ts';
import { loadKey, saveKey } from './key-store.ts';
import { resetLive } from './live.ts';
import { setupSpeak } from './speak.ts';
import { addVoice, clearSpeechOptions, loadSpeechOptions } from './speech-options.ts';
import { clearUsage, noteCreditsRemaining, refreshUsage, setupUsage } from './usage.ts';

/** The playground: a key, then what it may do (models, voices, usage), and the panels that use them. */
const keyForm = byId('key-form', HTMLFormElement);
const keyInput = byId('api-key', HTMLInputElement);

async function loadAccount(): Promise<void> {
  clearError();
  clearSpeechOptions();
  clearUsage();
  resetLive();
  resetJobs();
  clearDictionaries();
  forgetToken();
  if (!loadKey()) return say('Paste an API key to start.');
  loadJobs();
  // Best effort, as jobs: the panel's Refresh reports what goes wrong.
  void loadDictionaries().catch(() => {});
  say('Loading models, voices and usage…');
  const results = await Promise.allSettled([loadSpeechOptions(), refreshUsage()]);
  const failed = results.find((result) => result.status === 'rejected');
  if (!failed) return say('Ready: type something and press Speak.');
  say('');
  fail(failed.reason);
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  saveKey(keyInput.value.trim());
  void loadAccount();
});

setupSpeak({
  onAccepted: (response) => noteCreditsRemaining(response.headers.get('x-credits-remaining')),
  // Best effort: the Refresh button reports what goes wrong (a key without the usage scope).
  onSettled: () => {
    void refreshUsage().catch(() => {});
    void refreshToken().catch(() => {});
  },
});
setupClientToken(resetLive);
setupJobs();
setupDictionaries();
setupClone(addVoice);
setupDesign(addVoice);
setupUsage(fail);

keyInput.value = loadKey();
void loadAccount();
