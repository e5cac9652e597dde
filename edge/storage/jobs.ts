import type { JobStatus } from '../jobs/job-types.ts';

/** A job in the account's list: enough to find it; its progress is its object's (GET /v1/audio/jobs/{id}). */
export interface JobIndexRow {
  id: string;
  account_id: string;
  status: JobStatus;
  model: string;
  voice: string;
  response_format: string;
  characters: number;
  chunks: number;
  created_at: string;
  finished_at: string | null;
}

export interface JobPage {
  jobs: JobIndexRow[];
  /** Pass as `after` for the next page; null on the last. */
  next: string | null;
}

/** The index of jobs by account, newest first, in D1. */
export interface JobIndex {
  add(row: JobIndexRow): Promise<void>;
  setStatus(id: string, status: JobStatus, finishedAt: string | null): Promise<void>;
  /** Null when `after` names no job of the account. */
  page(accountId: string, options: { limit: number; after?: string | undefined }): Promise<JobPage | null>;
}

export class D1JobIndex implements JobIndex {
  private readonly db: D1Database;

  constructor(db: D1Database) {
    this.db = db;
  }

  async add(row: JobIndexRow): Promise<void> {
    await this.db
      .prepare('INSERT INTO jobs (id, account_id, status, model, voice, response_format, characters, chunks, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .bind(row.id, row.account_id, row.status, row.model, row.voice, row.response_format, row.characters, row.chunks, row.created_at, row.finished_at)
      .run();
  }

  async setStatus(id: string, status: JobStatus, finishedAt: string | null): Promise<void> {
    await this.db.prepare('UPDATE jobs SET status = ?, finished_at = coalesce(?, finished_at) WHERE id = ?').bind(status, finishedAt, id).run();
  }

  /** Newest first; `after` is the id of the last job of the previous page (a cursor by creation time, then id). */
  async page(accountId: string, { limit, after }: { limit: number; after?: string | undefined }): Promise<JobPage | null> {
    const cursor = after === undefined ? null : await this.db.prepare('SELECT created_at, id FROM jobs WHERE id = ? AND account_id = ?').bind(after, accountId).first<{ created_at: string; id: string }>();
    if (after !== undefined && !cursor) return null;
    const { results } = cursor
      ? await this.db
          .prepare('SELECT * FROM jobs WHERE account_id = ? AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?')
          .bind(accountId, cursor.created_at, cursor.created_at, cursor.id, limit + 1)
          .all<JobIndexRow>()
      : await this.db.prepare('SELECT * FROM jobs WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').bind(accountId, limit + 1).all<JobIndexRow>();
    const jobs = results.slice(0, limit);
    return { jobs, next: results.length > limit ? jobs.at(-1)!.id : null };
  }
}
