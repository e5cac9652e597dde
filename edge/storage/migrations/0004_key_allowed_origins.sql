-- The web origins a key may be used from (JSON array); NULL, as for every key issued before: any origin.
ALTER TABLE api_keys ADD COLUMN allowed_origins TEXT;
