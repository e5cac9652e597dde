/**
 * ONNX Runtime sessions of a pack: created once at start-up on the chosen execution provider,
 * checked against the manifest, warmed up, then shared by every request (runs are independent:
 * all per-request state, such as the KV cache, lives in the request).
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { packOnnxFiles, PackError, validateSession, type Manifest, type OnnxFile } from './pack.ts';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface SessionOptions {
  executionProvider?: ExecutionProvider;
  /** Threads inside one operator; default: ONNX Runtime's choice (the physical cores). */
  intraOpThreads?: number;
  interOpThreads?: number;
  log?: (msg: string) => void;
}

/** Sessions every pack has, plus the encoders where the pack has them (Base packs). */
export type Sessions = Partial<Record<OnnxFile, ort.InferenceSession>> & {
  [F in Exclude<OnnxFile, 'speaker_encoder.onnx' | 'tokenizer12hz_encode.onnx'>]: ort.InferenceSession;
};

export interface LoadedSessions {
  sessions: Sessions;
  provider: ExecutionProvider;
}

function sessionOptions(provider: ExecutionProvider, o: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    ...(o.intraOpThreads ? { intraOpNumThreads: o.intraOpThreads } : {}),
    ...(o.interOpThreads ? { interOpNumThreads: o.interOpThreads } : {}),
  };
}

/**
 * Whether this onnxruntime-node build lists the CUDA provider. Linux x64 builds list it even
 * without the CUDA libraries, so a session can still fail to start on it: see createSessions.
 */
export function cudaInBuild(): boolean {
  return ort.listSupportedBackends().some((b) => b.name === 'cuda');
}

export async function createSessions(dir: string, manifest: Manifest, o: SessionOptions = {}): Promise<LoadedSessions> {
  const log = o.log ?? (() => {});
  let provider: ExecutionProvider = o.executionProvider ?? 'cpu';
  if (provider === 'cuda' && !cudaInBuild()) {
    log('qwen3: CUDA execution provider requested but not in this onnxruntime-node build; using CPU');
    provider = 'cpu';
  }
  const sessions: Partial<Record<OnnxFile, ort.InferenceSession>> = {};
  try {
    for (const file of packOnnxFiles(manifest)) {
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(join(dir, file), sessionOptions(provider, o));
      } catch (error) {
        if (provider === 'cuda') {
          // A CUDA build on a machine without a usable GPU fails here: fall back once, say so.
          log(`qwen3: CUDA session for ${file} failed (${(error as Error).message.split('\n')[0]}); using CPU`);
          for (const s of Object.values(sessions)) await s.release();
          return createSessions(dir, manifest, { ...o, executionProvider: 'cpu' });
        }
        throw new PackError(file, `ONNX Runtime cannot load it (${(error as Error).message.split('\n')[0]})`);
      }
      sessions[file] = session;
      validateSession(file, session, manifest);
    }
  } catch (error) {
    for (const s of Object.values(sessions)) await s.release();
    throw error;
  }
  const threads = o.intraOpThreads ? `${o.intraOpThreads} intra-op threads` : 'default threads';
  log(`qwen3: ${manifest.id} sessions on ${provider.toUpperCase()} (${threads})`);
  return { sessions: sessions as Sessions, provider };
}

export async function releaseSessions(sessions: Sessions): Promise<void> {
  for (const s of Object.values(sessions)) await s.release();
}
