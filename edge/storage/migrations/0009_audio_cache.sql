-- The audio cache (edge/cache/, docs/cache.md).
-- Whether a speech request's audio came from the cache: 'hit', 'miss' (rendered and stored) or
-- 'off' (not cacheable, or the cache was turned off); NULL for rows that are not speech.
ALTER TABLE usage_ledger ADD COLUMN cache TEXT;

-- One row per cached rendering (edge/storage/audio-cache-index.ts): where its audio is in R2
-- (`<scope>/<key>` of AUDIO_CACHE), what shaped it (to purge it when that changes), its size and
-- when it was last served (to evict the least recently heard beyond an account's bounds).
-- `scope` is the account id, or 'shared' for an operator's shared preset phrases.
CREATE TABLE IF NOT EXISTS audio_cache_entries (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  account_id TEXT NOT NULL,
  model TEXT NOT NULL,
  model_version TEXT NOT NULL,
  voice_id TEXT NOT NULL,
  voice_version INTEGER,
  -- The pronunciation dictionaries applied, ',id@version,' (commas around each, for LIKE).
  dictionaries TEXT NOT NULL DEFAULT '',
  timed INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  last_hit_at TEXT NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  -- Set when what shaped it changed (voice deleted, dictionary changed, model pack replaced):
  -- no request can reach it any more, and the purge deletes its audio and then the row.
  doomed_at TEXT,
  PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS audio_cache_by_account ON audio_cache_entries (account_id, last_hit_at);
CREATE INDEX IF NOT EXISTS audio_cache_by_voice ON audio_cache_entries (account_id, voice_id);
CREATE INDEX IF NOT EXISTS audio_cache_doomed ON audio_cache_entries (doomed_at) WHERE doomed_at IS NOT NULL;
