-- Switchboard store, version 1 (PostgreSQL).
-- Times are Unix nanoseconds in UTC (NULL: the zero time); lists, maps and
-- deadlines are JSON text (NULL: empty). Ids sort byte-wise (COLLATE "C"),
-- as Go compares strings.

CREATE TABLE {{schema}}{{prefix}}operators (
    id             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    groups_json    TEXT,
    cap            BIGINT NOT NULL,
    skills_json    TEXT,
    status         TEXT   NOT NULL,
    status_since   BIGINT,
    load_count     BIGINT NOT NULL CHECK (load_count >= 0),
    last_assigned  BIGINT,
    deadlines_json TEXT,
    version        BIGINT NOT NULL
);

CREATE TABLE {{schema}}{{prefix}}conversations (
    id                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    group_id          TEXT     NOT NULL,
    channel           TEXT     NOT NULL,
    customer_id       TEXT     NOT NULL,
    priority          BIGINT   NOT NULL,
    skills_json       TEXT,
    attributes_json   TEXT,
    state             SMALLINT NOT NULL CHECK (state BETWEEN 1 AND 5),
    assignee          TEXT COLLATE "C" REFERENCES {{schema}}{{prefix}}operators (id),
    offered_to_json   TEXT,
    last_operator     TEXT     NOT NULL,
    linked_to         TEXT     NOT NULL,
    created_at        BIGINT   NOT NULL,
    enqueued_at       BIGINT   NOT NULL,
    seq               BIGINT   NOT NULL UNIQUE,
    assigned_at       BIGINT,
    closed_at         BIGINT,
    close_reason      TEXT     NOT NULL,
    all_busy_notified BOOLEAN  NOT NULL,
    deadlines_json    TEXT,
    missed_by_json    TEXT,
    version           BIGINT   NOT NULL,
    CHECK ((state IN (3, 4)) = (assignee IS NOT NULL))
);

CREATE INDEX {{prefix}}conversations_assignee ON {{schema}}{{prefix}}conversations (assignee) WHERE assignee IS NOT NULL;

CREATE INDEX {{prefix}}conversations_state ON {{schema}}{{prefix}}conversations (state, seq);

CREATE TABLE {{schema}}{{prefix}}status_history (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operator_id TEXT COLLATE "C" NOT NULL,
    status      TEXT   NOT NULL,
    from_ns     BIGINT NOT NULL,
    to_ns       BIGINT
);

CREATE INDEX {{prefix}}status_history_operator ON {{schema}}{{prefix}}status_history (operator_id, id);

CREATE TABLE {{schema}}{{prefix}}previous_operators (
    customer_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    operator_id TEXT NOT NULL
);

-- Conversations' Seq numbers: nextval takes no row lock, so concurrent
-- writers do not queue behind each other's commits.
CREATE SEQUENCE {{schema}}{{prefix}}conversation_seq AS BIGINT;
