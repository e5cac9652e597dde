-- Cloned and designed voices: what the API lists and shows. Whether a voice exists is decided by
-- its account's Durable Object; its profiles live in KV and its reference clip in R2.
CREATE TABLE IF NOT EXISTS voices (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  language TEXT,
  description TEXT,
  transcript TEXT,
  model TEXT NOT NULL,
  reference_format TEXT,
  reference_ms INTEGER NOT NULL,
  speech_ms INTEGER NOT NULL,
  clip_sha256 TEXT,
  consent_key_id TEXT,
  consent_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS voices_by_account ON voices (account_id, created_at, id);

-- Voice creation is metered in the same ledger as speech, as rows of its own kind.
ALTER TABLE usage_ledger ADD COLUMN kind TEXT NOT NULL DEFAULT 'speech';
