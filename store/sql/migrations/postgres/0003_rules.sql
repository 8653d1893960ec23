-- Switchboard store, version 3 (PostgreSQL): what rules decide about a
-- conversation, and the rule sets.
-- A conversation's tags and the rules that matched it are JSON text (NULL:
-- none), its preferred operator text ('': none); rows of version 2 read
-- back with none of them and not off-hours.
-- Every rule set stored is kept, for audit: the current one is the highest
-- version. A SetRuleSet inserts the version after the one it expects, so
-- that of concurrent ones expecting the same version the primary key lets
-- exactly one in.

ALTER TABLE {{schema}}{{prefix}}conversations
    ADD COLUMN tags_json  TEXT,
    ADD COLUMN preferred  TEXT    NOT NULL DEFAULT '',
    ADD COLUMN off_hours  BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN rules_json TEXT;

CREATE TABLE {{schema}}{{prefix}}rule_sets (
    version    BIGINT NOT NULL PRIMARY KEY CHECK (version > 0),
    body       BYTEA  NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL
);
