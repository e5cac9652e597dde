-- The client token a request came with (POST /v1/tokens); NULL for a request made with the key itself.
ALTER TABLE usage_ledger ADD COLUMN token_id TEXT;
