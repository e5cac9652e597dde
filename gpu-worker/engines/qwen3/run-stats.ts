/**
 * One place every session run goes through, so that bench/ can count what crosses the
 * JavaScript/ONNX Runtime boundary per frame: time inside `run`, bytes fed in, bytes returned.
 * (On a GPU those bytes cross PCIe: onnxruntime-node returns outputs to host memory.)
 */
import type * as ort from 'onnxruntime-node';

export interface SessionCost {
  runs: number;
  ms: number;
  bytesIn: number;
  bytesOut: number;
}

export class RunStats {
  readonly bySession = new Map<string, SessionCost>();

  record(name: string, ms: number, bytesIn: number, bytesOut: number): void {
    const cost = this.bySession.get(name) ?? { runs: 0, ms: 0, bytesIn: 0, bytesOut: 0 };
    cost.runs++;
    cost.ms += ms;
    cost.bytesIn += bytesIn;
    cost.bytesOut += bytesOut;
    this.bySession.set(name, cost);
  }

  total(): SessionCost {
    const t = { runs: 0, ms: 0, bytesIn: 0, bytesOut: 0 };
    for (const c of this.bySession.values()) {
      t.runs += c.runs;
      t.ms += c.ms;
      t.bytesIn += c.bytesIn;
      t.bytesOut += c.bytesOut;
    }
    return t;
  }
}

const bytesOf = (values: Record<string, ort.Tensor>) =>
  Object.values(values).reduce((n, t) => n + (t.data as ArrayBufferView).byteLength, 0);

export async function runSession(
  session: ort.InferenceSession,
  name: string,
  feeds: Record<string, ort.Tensor>,
  stats: RunStats | undefined,
): Promise<ort.InferenceSession.ReturnType> {
  if (!stats) return session.run(feeds);
  const start = performance.now();
  const out = await session.run(feeds);
  stats.record(name, performance.now() - start, bytesOf(feeds), bytesOf(out as Record<string, ort.Tensor>));
  return out;
}
