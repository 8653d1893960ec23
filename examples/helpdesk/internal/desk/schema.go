package desk

// schema returns the statements that create the desk's tables, if they are
// missing, in dialect d.
func schema(d Dialect) []string {
	serial := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if d == Postgres {
		serial = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
	}
	return []string{
		`CREATE TABLE IF NOT EXISTS helpdesk_accounts (
			id            TEXT   NOT NULL PRIMARY KEY,
			name          TEXT   NOT NULL,
			role          TEXT   NOT NULL,
			password_hash TEXT   NOT NULL,
			created_ns    BIGINT NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS helpdesk_sessions (
			token_hash TEXT   NOT NULL PRIMARY KEY,
			account_id TEXT   NOT NULL REFERENCES helpdesk_accounts (id),
			csrf       TEXT   NOT NULL,
			expires_ns BIGINT NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS helpdesk_visitors (
			token_hash      TEXT   NOT NULL PRIMARY KEY,
			conversation_id TEXT   NOT NULL UNIQUE,
			name            TEXT   NOT NULL,
			created_ns      BIGINT NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS helpdesk_messages (
			id              ` + serial + `,
			conversation_id TEXT   NOT NULL,
			author_kind     TEXT   NOT NULL,
			author_id       TEXT   NOT NULL,
			author_name     TEXT   NOT NULL,
			body            TEXT   NOT NULL,
			at_ns           BIGINT NOT NULL
		)`,
		`CREATE INDEX IF NOT EXISTS helpdesk_messages_by_conversation ON helpdesk_messages (conversation_id, id)`,
	}
}
