import { addColumnIfMissing } from '../accounts/add-column.ts';
import type { AttemptFailure, ChunkStatus, JobChunk, JobSpec, JobStatus, PlacedChunk, RenderedChunk, WebhookState } from './job-types.ts';

/** A job object's SQLite tables: the job (one row) and its chunks. Only JobDO uses them. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS job (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  spec TEXT NOT NULL,
  status TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  started_ms INTEGER,
  finished_ms INTEGER,
  error TEXT,
  webhook TEXT NOT NULL,
  expires_ms INTEGER,
  purged INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS chunks (
  idx INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  char_offset INTEGER NOT NULL,
  characters INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  -- Attempts that count against MAX_CHUNK_ATTEMPTS (one that waited for a slot or a worker gives its count back).
  attempts INTEGER NOT NULL DEFAULT 0,
  -- Every claim, never given back: it numbers attempt ids, so no two attempts share one.
  claims INTEGER NOT NULL DEFAULT 0,
  attempt_id TEXT,
  -- When it entered its status, or its last heartbeat while rendering.
  since_ms INTEGER,
  -- A chunk sent back to wait (a retry's backoff, a full account) is not queued again before this.
  not_before_ms INTEGER NOT NULL DEFAULT 0,
  -- Since when it has been waiting for a stream slot or a worker, without reaching one.
  waiting_since INTEGER,
  result TEXT,
  error TEXT,
  -- An SSML job's chunk: what it says (a SpeechScript, JSON), its runs' offsets into the chunk's text.
  script TEXT
);
CREATE INDEX IF NOT EXISTS chunks_by_status ON chunks (status, idx);
`;

export type JobRow = {
  spec: string;
  status: JobStatus;
  created_ms: number;
  started_ms: number | null;
  finished_ms: number | null;
  error: string | null;
  webhook: string;
  expires_ms: number | null;
  purged: number;
  version: number;
};

export type ChunkRow = {
  idx: number;
  text: string;
  char_offset: number;
  characters: number;
  status: ChunkStatus;
  attempts: number;
  claims: number;
  attempt_id: string | null;
  since_ms: number | null;
  not_before_ms: number;
  waiting_since: number | null;
  result: string | null;
  error: string | null;
  script: string | null;
};

// A type alias (not an interface), so that it satisfies SqlStorage's row constraint.
export type JobCounts = {
  done: number;
  in_flight: number;
  rendering: number;
  failed: number;
  /** Attempts after each chunk's first that counted (a worker lost, a broken stream). */
  retries: number;
  characters_done: number;
  audio_ms: number;
  bytes: number;
};

export class JobTables {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
    addColumnIfMissing(this.sql, 'chunks', 'script', 'TEXT');
  }

  // ---- the job ----

  job(): (JobRow & { parsed: JobSpec }) | null {
    const row = this.sql.exec<JobRow>('SELECT spec, status, created_ms, started_ms, finished_ms, error, webhook, expires_ms, purged, version FROM job').toArray()[0];
    return row ? { ...row, parsed: JSON.parse(row.spec) as JobSpec } : null;
  }

  createJob(spec: JobSpec, chunks: JobChunk[], now: number): void {
    this.sql.exec("INSERT INTO job (singleton, spec, status, created_ms, webhook) VALUES (1, ?, 'queued', ?, ?)", JSON.stringify(spec), now, JSON.stringify({ status: 'none' }));
    for (const chunk of chunks) {
      const script = chunk.script === undefined ? null : JSON.stringify(chunk.script);
      this.sql.exec('INSERT INTO chunks (idx, text, char_offset, characters, script) VALUES (?, ?, ?, ?, ?)', chunk.index, chunk.text, chunk.char_offset, chunk.characters, script);
    }
  }

  setStatus(status: JobStatus, now: number, error?: { code: string; message: string }): void {
    const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
    this.sql.exec(
      `UPDATE job SET status = ?, started_ms = CASE WHEN ? = 'running' THEN coalesce(started_ms, ?) ELSE started_ms END,
         finished_ms = CASE WHEN ? THEN ? ELSE finished_ms END, error = coalesce(?, error)`,
      status,
      status,
      now,
      finished ? 1 : 0,
      now,
      error ? JSON.stringify(error) : null,
    );
  }

  setWebhook(state: WebhookState): void {
    this.sql.exec('UPDATE job SET webhook = ?', JSON.stringify(state));
  }

  setExpiry(at: number): void {
    this.sql.exec('UPDATE job SET expires_ms = ?', at);
  }

  markPurged(): void {
    this.sql.exec('UPDATE job SET purged = 1');
  }

  /** Every change: watchers wait for the next version. */
  bump(): number {
    return this.sql.exec<{ version: number }>('UPDATE job SET version = version + 1 RETURNING version').one().version;
  }

  // ---- chunks ----

  chunk(index: number): ChunkRow | undefined {
    return this.sql.exec<ChunkRow>('SELECT * FROM chunks WHERE idx = ?', index).toArray()[0];
  }

  count(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM chunks').one().n;
  }

  counts(): JobCounts {
    const row = this.sql
      .exec<JobCounts>(
        `SELECT
           coalesce(sum(status = 'done'), 0) AS done,
           coalesce(sum(status IN ('queued', 'rendering')), 0) AS in_flight,
           coalesce(sum(status = 'rendering'), 0) AS rendering,
           coalesce(sum(status = 'failed'), 0) AS failed,
           coalesce(sum(max(attempts - 1, 0)), 0) AS retries,
           coalesce(sum(CASE WHEN status = 'done' THEN characters ELSE 0 END), 0) AS characters_done,
           coalesce(sum(CASE WHEN status = 'done' THEN json_extract(result, '$.audio_ms') ELSE 0 END), 0) AS audio_ms,
           coalesce(sum(CASE WHEN status = 'done' THEN json_extract(result, '$.bytes') ELSE 0 END), 0) AS bytes
         FROM chunks`,
      )
      .one();
    return row;
  }

  /** Pending chunks that may be queued now, first first. */
  due(now: number, limit: number): ChunkRow[] {
    if (limit <= 0) return [];
    return this.sql.exec<ChunkRow>("SELECT * FROM chunks WHERE status = 'pending' AND not_before_ms <= ? ORDER BY idx LIMIT ?", now, limit).toArray();
  }

  /** When the next pending chunk that waits may be queued; null when none waits. */
  nextDue(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(not_before_ms) AS at FROM chunks WHERE status = 'pending'").one().at;
  }

  /** Chunks queued or rendering whose last sign of life is older than `before`. */
  stale(status: 'queued' | 'rendering', before: number): ChunkRow[] {
    return this.sql.exec<ChunkRow>('SELECT * FROM chunks WHERE status = ? AND since_ms < ?', status, before).toArray();
  }

  oldestSince(status: 'queued' | 'rendering'): number | null {
    return this.sql.exec<{ at: number | null }>('SELECT min(since_ms) AS at FROM chunks WHERE status = ?', status).one().at;
  }

  setQueued(index: number, now: number): void {
    this.sql.exec("UPDATE chunks SET status = 'queued', since_ms = ? WHERE idx = ?", now, index);
  }

  setRendering(index: number, attemptId: string, now: number): void {
    this.sql.exec("UPDATE chunks SET status = 'rendering', attempt_id = ?, attempts = attempts + 1, claims = claims + 1, since_ms = ? WHERE idx = ?", attemptId, now, index);
  }

  heartbeat(index: number, attemptId: string, now: number): boolean {
    return this.sql.exec("UPDATE chunks SET since_ms = ? WHERE idx = ? AND attempt_id = ? AND status = 'rendering'", now, index, attemptId).rowsWritten > 0;
  }

  setDone(index: number, result: RenderedChunk, now: number): void {
    this.sql.exec("UPDATE chunks SET status = 'done', result = ?, since_ms = ?, error = NULL WHERE idx = ?", JSON.stringify(result), now, index);
  }

  /**
   * Back to pending (to be queued again from `notBefore`). `waited`: the attempt found no stream
   * slot or no worker, so it gives back the attempt it took and the chunk's wait goes on (from
   * `now`, if it was not waiting); otherwise the attempt counts, and the wait is over.
   */
  setPending(index: number, notBefore: number, failure: AttemptFailure | null, waited: boolean, now: number): void {
    this.sql.exec(
      `UPDATE chunks SET status = 'pending', not_before_ms = ?, since_ms = NULL, error = coalesce(?, error), attempts = attempts - ?,
         waiting_since = CASE WHEN ? THEN coalesce(waiting_since, ?) ELSE NULL END
       WHERE idx = ?`,
      notBefore,
      failure ? JSON.stringify({ code: failure.code, message: failure.message }) : null,
      waited ? 1 : 0,
      waited ? 1 : 0,
      now,
      index,
    );
  }

  setFailed(index: number, failure: AttemptFailure, now: number): void {
    this.sql.exec("UPDATE chunks SET status = 'failed', since_ms = ?, error = ? WHERE idx = ?", now, JSON.stringify({ code: failure.code, message: failure.message }), index);
  }

  /** Done chunks from chunk 0 on, up to the first that is not done. */
  readyPrefix(): PlacedChunk[] {
    const rows = this.sql.exec<{ idx: number; status: ChunkStatus; char_offset: number; result: string | null }>('SELECT idx, status, char_offset, result FROM chunks ORDER BY idx').toArray();
    const ready: PlacedChunk[] = [];
    for (const row of rows) {
      if (row.status !== 'done' || row.result === null) break;
      const result = JSON.parse(row.result) as RenderedChunk;
      ready.push({ index: row.idx, audio_key: result.audio_key, words_key: result.words_key, bytes: result.bytes, samples: result.samples, facts: result.facts, char_offset: row.char_offset });
    }
    return ready;
  }

  /** Every stored object key (the chunks done), for purging. */
  storedKeys(): string[] {
    return this.sql
      .exec<{ result: string }>("SELECT result FROM chunks WHERE status = 'done' AND result IS NOT NULL")
      .toArray()
      .flatMap(({ result }) => {
        const parsed = JSON.parse(result) as RenderedChunk;
        return [parsed.audio_key, parsed.words_key];
      });
  }

  /** The job's text: its chunks' texts in order. */
  text(): string {
    return this.sql.exec<{ text: string }>('SELECT text FROM chunks ORDER BY idx').toArray().map(({ text }) => text).join('');
  }

  /** Render times of done chunks, ms (the closing report's figure: the job's wall time against their sum). */
  renderTimes(): number[] {
    return this.sql.exec<{ ms: number }>("SELECT json_extract(result, '$.render_ms') AS ms FROM chunks WHERE status = 'done'").toArray().map(({ ms }) => ms);
  }
}
