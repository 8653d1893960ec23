-- Switchboard store, version 7 (SQLite): keys on journal entries.
-- An entry appended under a key (several writers reporting one fact, such
-- as business hours opening) is stored once: AppendJournal skips a key
-- the journal holds, under the write lock, before it numbers the rest;
-- the unique index backs that check.

ALTER TABLE {{schema}}{{prefix}}journal ADD COLUMN entry_key TEXT;

CREATE UNIQUE INDEX {{schema}}{{prefix}}journal_by_key ON {{prefix}}journal (entry_key) WHERE entry_key IS NOT NULL;
