/** A worker's circuit as this isolate sees it. */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

interface Circuit {
  state: CircuitState;
  /** Failures since the last success: what opens the circuit. */
  failures: number;
  /** Every failure this isolate has counted against the worker (an operator's figure: /admin/pool). */
  failuresTotal: number;
  openedAt: number;
  probing: boolean;
}

/** Consecutive failures that take a worker out of rotation. */
const FAILURE_THRESHOLD = 3;
/** How long it stays out before one probe request may try it again. */
export const OPEN_MS = 5_000;

/**
 * Takes a worker that keeps failing (connection errors, 5xx, stalls) out of rotation for a while,
 * then lets a single request probe it: success closes the circuit, failure opens it again. Per
 * isolate: each edge isolate learns from the requests it sends.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();

  private circuit(url: string): Circuit {
    let circuit = this.circuits.get(url);
    if (!circuit) this.circuits.set(url, (circuit = { state: 'closed', failures: 0, failuresTotal: 0, openedAt: 0, probing: false }));
    return circuit;
  }

  state(url: string, now = Date.now()): CircuitState {
    const circuit = this.circuit(url);
    if (circuit.state === 'open' && now - circuit.openedAt >= OPEN_MS) circuit.state = 'half_open';
    return circuit.state;
  }

  /** Whether a request may go to the worker now; in half-open, only the one probe may. */
  allows(url: string, now = Date.now()): boolean {
    const state = this.state(url, now);
    return state === 'closed' || (state === 'half_open' && !this.circuit(url).probing);
  }

  /** A request is going to the worker (marks the half-open probe as taken). */
  begin(url: string): void {
    const circuit = this.circuit(url);
    if (circuit.state === 'half_open') circuit.probing = true;
  }

  success(url: string): void {
    Object.assign(this.circuit(url), { state: 'closed', failures: 0, probing: false });
  }

  failure(url: string, now = Date.now()): void {
    const circuit = this.circuit(url);
    circuit.failures++;
    circuit.failuresTotal++;
    circuit.probing = false;
    if (circuit.state === 'half_open' || circuit.failures >= FAILURE_THRESHOLD) Object.assign(circuit, { state: 'open', openedAt: now });
  }

  /** Failures counted against the worker: since its last success, and in all. */
  failures(url: string): { consecutive: number; total: number } {
    const circuit = this.circuit(url);
    return { consecutive: circuit.failures, total: circuit.failuresTotal };
  }

  /** Seconds until an open circuit lets a probe through (0 when it does already). */
  retryAfterSeconds(url: string, now = Date.now()): number {
    const circuit = this.circuit(url);
    return circuit.state === 'open' ? Math.max(0, Math.ceil((circuit.openedAt + OPEN_MS - now) / 1000)) : 0;
  }
}
