-- Switchboard store, version 2 (PostgreSQL): the history of operators'
-- loads. Each change of an operator's load adds one row, in the
-- transaction that changes it and while it holds the operator's row lock,
-- so that an operator's rows in id order are their loads in commit order.
-- cap_checked is the cap the change was checked against (0: none).

CREATE TABLE {{schema}}{{prefix}}load_history (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operator_id     TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL,
    delta           SMALLINT NOT NULL CHECK (delta IN (-1, 1)),
    load_after      BIGINT   NOT NULL CHECK (load_after >= 0),
    at_ns           BIGINT   NOT NULL,
    cap_checked     BIGINT   NOT NULL
);

CREATE INDEX {{prefix}}load_history_operator ON {{schema}}{{prefix}}load_history (operator_id, id);
