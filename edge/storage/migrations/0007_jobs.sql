-- Long-form jobs (edge/jobs/): the account's list of them. Each job's exact state is its Durable
-- Object's (JobDO); this index is what GET /v1/audio/jobs pages through.
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  status TEXT NOT NULL,
  model TEXT NOT NULL,
  voice TEXT NOT NULL,
  response_format TEXT NOT NULL,
  characters INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_account ON jobs (account_id, created_at DESC, id DESC);
