-- Switchboard store, version 6 (SQLite): the event journal.
-- One row per entry: its number, its time and the event as the Router
-- encoded it (opaque to the store). A write transaction numbers its
-- entries after the greatest number stored, under the write lock it
-- holds from its start; pruning keeps the newest entry.

CREATE TABLE {{schema}}{{prefix}}journal (
    seq   INTEGER NOT NULL PRIMARY KEY,
    at_ns INTEGER NOT NULL,
    body  BLOB    NOT NULL
) STRICT;
