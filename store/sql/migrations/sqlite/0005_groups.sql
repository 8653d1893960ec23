-- Switchboard store, version 5 (SQLite): the groups.
-- One row per group: its configuration, encoded by the Router (opaque to
-- the store), and its version, for compare-and-set.

CREATE TABLE {{schema}}{{prefix}}groups (
    id         TEXT    NOT NULL PRIMARY KEY,
    config     BLOB    NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL
) STRICT;
