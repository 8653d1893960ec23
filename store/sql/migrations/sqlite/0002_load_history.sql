-- Switchboard store, version 2 (SQLite): the history of operators' loads.
-- Each change of an operator's load adds one row, in the transaction that
-- changes it; rows in id order are in commit order. cap_checked is the cap
-- the change was checked against (0: none).

CREATE TABLE {{schema}}{{prefix}}load_history (
    id              INTEGER NOT NULL PRIMARY KEY,
    operator_id     TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL,
    delta           INTEGER NOT NULL CHECK (delta IN (-1, 1)),
    load_after      INTEGER NOT NULL CHECK (load_after >= 0),
    at_ns           INTEGER NOT NULL,
    cap_checked     INTEGER NOT NULL
) STRICT;

CREATE INDEX {{schema}}{{prefix}}load_history_operator ON {{prefix}}load_history (operator_id, id);
