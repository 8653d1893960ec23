-- Switchboard store, version 7 (PostgreSQL): keys on journal entries.
-- An entry appended under a key (several Routers reporting one fact, such
-- as business hours opening) is stored once: AppendJournal skips a key
-- the journal holds, under journal_head's lock, before it numbers the
-- rest; the unique index backs that check.

ALTER TABLE {{schema}}{{prefix}}journal ADD COLUMN entry_key TEXT;

CREATE UNIQUE INDEX {{prefix}}journal_by_key ON {{schema}}{{prefix}}journal (entry_key) WHERE entry_key IS NOT NULL;
