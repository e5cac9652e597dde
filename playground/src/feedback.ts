import { byId } from './dom.ts';
import { describeError } from './error-messages.ts';

/** The page's two message lines: progress in #status (polite), the current error in #error (an alert). */
const status = byId('status', HTMLElement);
const error = byId('error', HTMLElement);

export function say(text: string): void {
  status.textContent = text;
}

export function fail(reason: unknown): void {
  error.textContent = describeError(reason);
}

export function clearError(): void {
  error.textContent = '';
}
