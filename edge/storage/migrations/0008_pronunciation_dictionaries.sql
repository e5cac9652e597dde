-- Pronunciation dictionaries (edge/storage/pronunciation-dictionaries.ts): one row per dictionary,
-- and one immutable row per version holding its rules as JSON. Every change adds a version and
-- moves latest_version; a deleted dictionary keeps its rows, marked, and none of them is served.
CREATE TABLE IF NOT EXISTS pronunciation_dictionaries (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  description TEXT,
  latest_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS pronunciation_dictionaries_by_account ON pronunciation_dictionaries (account_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS pronunciation_dictionary_versions (
  dictionary_id TEXT NOT NULL REFERENCES pronunciation_dictionaries (id),
  version INTEGER NOT NULL,
  rules TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (dictionary_id, version)
);
