-- Switchboard store, version 6 (PostgreSQL): the event journal.
-- One row per entry: its number, its time and the event as the Router
-- encoded it (opaque to the store). journal_head holds the newest number
-- handed out: a write transaction adds its count of entries to it just
-- before it commits and holds the row's lock until then, so that numbers
-- follow commit order across every Store on the database, and a
-- transaction rolled back gives its numbers back.

CREATE TABLE {{schema}}{{prefix}}journal (
    seq   BIGINT NOT NULL PRIMARY KEY,
    at_ns BIGINT NOT NULL,
    body  BYTEA  NOT NULL
);

CREATE TABLE {{schema}}{{prefix}}journal_head (
    id  SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq BIGINT   NOT NULL
);

INSERT INTO {{schema}}{{prefix}}journal_head (id, seq) VALUES (1, 0);
