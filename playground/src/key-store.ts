/** The API key lives in this tab's sessionStorage only: gone when the tab closes, never sent elsewhere. */
const STORAGE_KEY = 'open-tts.api-key';

export const loadKey = (): string => sessionStorage.getItem(STORAGE_KEY) ?? '';

export function saveKey(key: string): void {
  if (key) sessionStorage.setItem(STORAGE_KEY, key);
  else sessionStorage.removeItem(STORAGE_KEY);
}
