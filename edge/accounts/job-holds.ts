/**
 * Credits a long-form job holds (edge/jobs/): reserved from the balance for all of its characters
 * when the job is accepted, drawn on by each chunk's admission (the chunk's lease reserves from
 * the hold, not the balance), topped up again by whatever a chunk's settlement does not charge
 * (a failed or repeated attempt), and given back to the balance when the job ends.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS job_holds (
  job_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  reserved INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
);
`;

export type JobHoldRow = { job_id: string; key_id: string; reserved: number; created_ms: number };

export class JobHolds {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
  }

  get(jobId: string): JobHoldRow | undefined {
    return this.sql.exec<JobHoldRow>('SELECT * FROM job_holds WHERE job_id = ?', jobId).toArray()[0];
  }

  add(jobId: string, keyId: string, reserved: number, now: number): void {
    this.sql.exec('INSERT INTO job_holds (job_id, key_id, reserved, created_ms) VALUES (?, ?, ?, ?)', jobId, keyId, reserved, now);
  }

  /** Moves `delta` credits into (positive) or out of (negative) the hold; false when there is no hold. */
  adjust(jobId: string, delta: number): boolean {
    return this.sql.exec('UPDATE job_holds SET reserved = reserved + ? WHERE job_id = ?', delta, jobId).rowsWritten > 0;
  }

  remove(jobId: string): void {
    this.sql.exec('DELETE FROM job_holds WHERE job_id = ?', jobId);
  }

  /** Credits all holds keep from the balance. */
  total(): number {
    return this.sql.exec<{ n: number | null }>('SELECT sum(reserved) AS n FROM job_holds').one().n ?? 0;
  }
}
