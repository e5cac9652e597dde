-- Each account's webhook signing secret (edge/storage/webhook-secrets.ts): made on first use, replaced by a rotation.
-- Stored as is: the edge signs with it and the account reads it back (GET /v1/webhooks/secret).
CREATE TABLE IF NOT EXISTS webhook_secrets (
  account_id TEXT PRIMARY KEY REFERENCES accounts (id),
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL
);
