-- Switchboard store, version 3 (SQLite): what rules decide about a
-- conversation, and the rule sets.
-- A conversation's tags and the rules that matched it are JSON text (NULL:
-- none), its preferred operator text ('': none); rows of version 2 read
-- back with none of them and not off-hours.
-- Every rule set stored is kept, for audit: the current one is the highest
-- version.

ALTER TABLE {{schema}}{{prefix}}conversations ADD COLUMN tags_json TEXT;

ALTER TABLE {{schema}}{{prefix}}conversations ADD COLUMN preferred TEXT NOT NULL DEFAULT '';

ALTER TABLE {{schema}}{{prefix}}conversations ADD COLUMN off_hours INTEGER NOT NULL DEFAULT 0;

ALTER TABLE {{schema}}{{prefix}}conversations ADD COLUMN rules_json TEXT;

CREATE TABLE {{schema}}{{prefix}}rule_sets (
    version    INTEGER NOT NULL PRIMARY KEY CHECK (version > 0),
    body       BLOB    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL
) STRICT;
