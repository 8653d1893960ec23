-- Switchboard store, version 5 (PostgreSQL): the groups.
-- One row per group: its configuration, encoded by the Router (opaque to
-- the store), and its version, for compare-and-set. PutGroup inserts a
-- new group (the primary key lets one of concurrent creates in) or
-- updates the row at the version it expects; DeleteGroup deletes it at
-- the version it expects, after checking, under a lock on the tables of
-- operators and conversations, that none of them names it.

CREATE TABLE {{schema}}{{prefix}}groups (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    config     BYTEA  NOT NULL,
    version    BIGINT NOT NULL CHECK (version > 0),
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL
);
