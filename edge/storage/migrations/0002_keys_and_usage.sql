-- Every key ever issued, by id (KV finds a key by the hash of its secret; this table finds it
-- by id, for revocation and listings). The secret itself is stored nowhere.
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_by_account ON api_keys (account_id);

-- The usage ledger: one row per admitted speech request, written when its stream settles.
CREATE TABLE IF NOT EXISTS usage_ledger (
  account_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  model TEXT NOT NULL,
  voice TEXT NOT NULL,
  characters INTEGER NOT NULL,
  audio_ms INTEGER NOT NULL,
  credits_charged INTEGER NOT NULL,
  status TEXT NOT NULL,
  time_to_first_audio_ms INTEGER,
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, request_id)
);
CREATE INDEX IF NOT EXISTS usage_ledger_by_time ON usage_ledger (account_id, created_at);

-- Credits added or removed by the admin API, for the audit trail.
CREATE TABLE IF NOT EXISTS credit_grants (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  amount INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  reason TEXT,
  created_at TEXT NOT NULL
);
