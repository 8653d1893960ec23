-- Switchboard store, version 1 (SQLite).
-- Times are Unix nanoseconds in UTC (NULL: the zero time); lists, maps and
-- deadlines are JSON text (NULL: empty).

CREATE TABLE {{schema}}{{prefix}}operators (
    id             TEXT    NOT NULL PRIMARY KEY,
    groups_json    TEXT,
    cap            INTEGER NOT NULL,
    skills_json    TEXT,
    status         TEXT    NOT NULL,
    status_since   INTEGER,
    load_count     INTEGER NOT NULL CHECK (load_count >= 0),
    last_assigned  INTEGER,
    deadlines_json TEXT,
    version        INTEGER NOT NULL
) STRICT;

CREATE TABLE {{schema}}{{prefix}}conversations (
    id                TEXT    NOT NULL PRIMARY KEY,
    group_id          TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    customer_id       TEXT    NOT NULL,
    priority          INTEGER NOT NULL,
    skills_json       TEXT,
    attributes_json   TEXT,
    state             INTEGER NOT NULL CHECK (state BETWEEN 1 AND 5),
    assignee          TEXT REFERENCES {{prefix}}operators (id),
    offered_to_json   TEXT,
    last_operator     TEXT    NOT NULL,
    linked_to         TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    enqueued_at       INTEGER NOT NULL,
    seq               INTEGER NOT NULL UNIQUE,
    assigned_at       INTEGER,
    closed_at         INTEGER,
    close_reason      TEXT    NOT NULL,
    all_busy_notified INTEGER NOT NULL,
    deadlines_json    TEXT,
    missed_by_json    TEXT,
    version           INTEGER NOT NULL,
    CHECK ((state IN (3, 4)) = (assignee IS NOT NULL))
) STRICT;

CREATE INDEX {{schema}}{{prefix}}conversations_assignee ON {{prefix}}conversations (assignee) WHERE assignee IS NOT NULL;

CREATE INDEX {{schema}}{{prefix}}conversations_state ON {{prefix}}conversations (state, seq);

CREATE TABLE {{schema}}{{prefix}}status_history (
    id          INTEGER NOT NULL PRIMARY KEY,
    operator_id TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    from_ns     INTEGER NOT NULL,
    to_ns       INTEGER
) STRICT;

CREATE INDEX {{schema}}{{prefix}}status_history_operator ON {{prefix}}status_history (operator_id, id);

CREATE TABLE {{schema}}{{prefix}}previous_operators (
    customer_id TEXT NOT NULL PRIMARY KEY,
    operator_id TEXT NOT NULL
) STRICT;
