package sqlstore

import (
	"fmt"
	"strings"

	"github.com/switchboard-go/switchboard/store"
)

// The store's tables, named without their prefix.
const (
	tableOperators     = "operators"
	tableConversations = "conversations"
	tableHistory       = "status_history"
	tablePrevious      = "previous_operators"
	tableLoads         = "load_history"
	tableRuleSets      = "rule_sets"
	tableGroups        = "groups"
	tableJournal       = "journal"
	tableJournalHead   = "journal_head"
	tableMigrations    = "migrations"
)

// Column lists, in the order rows are scanned and written.
const (
	operatorColumns     = "id, groups_json, cap, skills_json, status, status_since, load_count, last_assigned, deadlines_json, version"
	conversationColumns = "id, group_id, channel, customer_id, priority, skills_json, attributes_json, state, assignee, offered_to_json, " +
		"last_operator, linked_to, created_at, enqueued_at, seq, assigned_at, closed_at, close_reason, all_busy_notified, " +
		"deadlines_json, missed_by_json, tags_json, preferred, off_hours, rules_json, version"
	historyColumns  = "id, operator_id, status, from_ns, to_ns"
	loadColumns     = "id, operator_id, conversation_id, delta, load_after, at_ns, cap_checked"
	previousColumns = "customer_id, operator_id"
	ruleSetColumns  = "version, body, updated_at, updated_by"
	groupColumns    = "id, config, version, updated_at, updated_by"
	journalColumns  = "seq, at_ns, body, entry_key"
)

// dataTables lists the tables the migrations create, with the columns the
// code reads and writes, and, for a table of one dialect only, its name
// (see dialectTables). A database that records the latest migration must
// have all of its dialect's; one that records none must have none of them.
var dataTables = []struct{ name, columns, only string }{
	{tableOperators, operatorColumns, ""},
	{tableConversations, conversationColumns, ""},
	{tableHistory, historyColumns, ""},
	{tablePrevious, previousColumns, ""},
	{tableLoads, loadColumns, ""},
	{tableRuleSets, ruleSetColumns, ""},
	{tableGroups, groupColumns, ""},
	{tableJournal, journalColumns, ""},
	{tableJournalHead, "id, seq", "postgres"},
}

// dialectTables returns the entries of dataTables that dialect d has.
func dialectTables(d dialect) []struct{ name, columns, only string } {
	var out []struct{ name, columns, only string }
	for _, t := range dataTables {
		if t.only == "" || t.only == d.name() {
			out = append(out, t)
		}
	}
	return out
}

// names holds the qualified names of a store's tables.
type names struct {
	operators, conversations, history, previous, loads, ruleSets, groups, journal, migrations string
	// journalHead names PostgreSQL's one-row table of the newest journal
	// number handed out (see dialect.journalReserve).
	journalHead string
	// seq names PostgreSQL's sequence of conversation Seq numbers.
	seq string
}

// qualifier returns what goes before a table's name: "schema." or "".
func qualifier(schema string) string {
	if schema == "" {
		return ""
	}
	return schema + "."
}

func newNames(schema, prefix string) names {
	q := qualifier(schema) + prefix
	return names{
		operators:     q + tableOperators,
		conversations: q + tableConversations,
		history:       q + tableHistory,
		previous:      q + tablePrevious,
		loads:         q + tableLoads,
		ruleSets:      q + tableRuleSets,
		groups:        q + tableGroups,
		journal:       q + tableJournal,
		journalHead:   q + tableJournalHead,
		seq:           q + "conversation_seq",
		migrations:    q + tableMigrations,
	}
}

// queries holds a store's fixed statements, in the dialect's syntax.
type queries struct {
	selectOperator, lockOperator, lockOperators, listOperators   string
	insertOperator, updateProfile, updateStatus, updateDeadlines string
	updateLoad, deleteOperator, countHeld, listHeld, listOffered string
	insertLoad, loadHistory, allLoadHistory                      string

	selectConversation, lockConversation, newConversation     string
	insertConversation, updateConversation, listConversations string
	nextSeq, upsertPrevious, selectPrevious                   string

	selectOperators, selectConversations, notify string

	selectRuleSet, ruleSetVersion, insertRuleSet string

	listGroups, lockGroup, insertGroup, updateGroup, deleteGroup, groupInUse string
	// lockGroupUsers is the statement that keeps every other transaction
	// from writing operators and conversations until DeleteGroup's ends,
	// or "" where write transactions exclude each other already.
	lockGroupUsers string

	// The journal's statements (see journal.go). reserveCounts says
	// that reserveJournal takes the number of entries, twice;
	// appendJournal, if any, numbers and inserts them in one statement
	// (see dialect.journalAppend).
	reserveJournal, appendJournal, readJournal, journalBounds, journalNewest, journalFront, pruneJournal string
	// lockJournal takes the lock that numbers entries, for an append
	// under keys ("" where the write lock does it); keptKeys lists which
	// of the keys given as a JSON array the journal holds.
	lockJournal, keptKeys string
	// insertEntries inserts entryRuns[i] entries in one statement.
	insertEntries [len(entryRuns)]string
	reserveCounts bool

	closeInterval, openInterval, history string
	reconcile                            string
	listMigrations, insertMigration      string
}

func buildQueries(d dialect, n names) queries {
	q := buildFixed(d, n)
	reserve, counts := d.journalReserve(n)
	q.reserveJournal, q.reserveCounts = d.rebind(reserve), counts
	if whole := d.journalAppend(n); whole != "" {
		q.appendJournal = d.rebind(whole)
	}
	if lock := d.journalLock(n); lock != "" {
		q.lockJournal = d.rebind(lock)
	}
	q.keptKeys = d.rebind("SELECT entry_key FROM " + n.journal + " WHERE entry_key IN (" + d.idList("?") + ")")
	for i, run := range entryRuns {
		q.insertEntries[i] = d.rebind("INSERT INTO " + n.journal + " (" + journalColumns + ") VALUES " +
			strings.Repeat("(?, ?, ?, ?), ", run-1) + "(?, ?, ?, ?)")
	}
	return q
}

// entryRuns are the numbers of journal entries one INSERT stores, largest
// first: a transaction's entries go in runs of these sizes (see
// appendNoted), each a statement prepared once.
var entryRuns = [...]int{64, 16, 4, 1}

func buildFixed(d dialect, n names) queries {
	r := d.rebind
	lock := d.forUpdate()
	opSelect := "SELECT " + operatorColumns + " FROM " + n.operators
	convSelect := "SELECT " + conversationColumns + " FROM " + n.conversations
	return queries{
		selectOperator: r(opSelect + " WHERE id = ?"),
		lockOperator:   r(opSelect + " WHERE id = ?" + lock),
		lockOperators:  r(opSelect + " WHERE id IN (" + d.idList("?") + ") ORDER BY id" + lock),
		listOperators:  r(opSelect + " ORDER BY id"),
		insertOperator: r("INSERT INTO " + n.operators + " (" + operatorColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"),
		updateProfile: r("UPDATE " + n.operators + " SET groups_json = ?, cap = ?, skills_json = ?, version = version + 1 WHERE id = ? RETURNING " +
			operatorColumns),
		updateStatus:    r("UPDATE " + n.operators + " SET status = ?, status_since = ?, deadlines_json = ?, version = ? WHERE id = ?"),
		updateDeadlines: r("UPDATE " + n.operators + " SET deadlines_json = ?, version = ? WHERE id = ?"),
		updateLoad:      r(d.updateLoad(n)),
		insertLoad:      r("INSERT INTO " + n.loads + " (operator_id, conversation_id, delta, load_after, at_ns, cap_checked) VALUES (?, ?, ?, ?, ?, ?)"),
		loadHistory:     r("SELECT " + loadColumns + " FROM " + n.loads + " WHERE operator_id = ? ORDER BY id"),
		allLoadHistory:  r("SELECT " + loadColumns + " FROM " + n.loads + " ORDER BY id"),
		deleteOperator:  r("DELETE FROM " + n.operators + " WHERE id = ?"),
		countHeld:       r("SELECT count(*) FROM " + n.conversations + " WHERE assignee = ?"),
		listHeld:        r("SELECT id, state FROM " + n.conversations + " WHERE assignee = ? ORDER BY seq"),
		listOffered:     r(fmt.Sprintf("SELECT id, offered_to_json FROM %s WHERE state = %d ORDER BY seq", n.conversations, store.Offered)),

		selectConversation: r(convSelect + " WHERE id = ?"),
		lockConversation:   r(convSelect + " WHERE id = ?" + lock),
		// One round trip for a new conversation's existence check and Seq.
		newConversation: r("SELECT (SELECT count(*) FROM " + n.conversations + " WHERE id = ?), (" + d.nextSeq(n) + ")"),
		insertConversation: r("INSERT INTO " + n.conversations + " (" + conversationColumns + ") VALUES (" +
			"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		updateConversation: r("UPDATE " + n.conversations + " SET group_id = ?, channel = ?, customer_id = ?, priority = ?, " +
			"skills_json = ?, attributes_json = ?, state = ?, assignee = ?, offered_to_json = ?, last_operator = ?, linked_to = ?, " +
			"created_at = ?, enqueued_at = ?, seq = ?, assigned_at = ?, closed_at = ?, close_reason = ?, all_busy_notified = ?, " +
			"deadlines_json = ?, missed_by_json = ?, tags_json = ?, preferred = ?, off_hours = ?, rules_json = ?, version = ? WHERE id = ?"),
		listConversations: convSelect,
		nextSeq:           d.nextSeq(n),
		upsertPrevious: r("INSERT INTO " + n.previous + " (customer_id, operator_id) VALUES (?, ?) " +
			"ON CONFLICT (customer_id) DO UPDATE SET operator_id = excluded.operator_id"),
		selectPrevious: r("SELECT operator_id FROM " + n.previous + " WHERE customer_id = ?"),

		selectOperators:     r(opSelect + " WHERE id IN (" + d.idList("?") + ") ORDER BY id"),
		selectConversations: r(convSelect + " WHERE id IN (" + d.idList("?") + ") ORDER BY seq"),
		notify:              r("SELECT pg_notify(?, ?)"),

		selectRuleSet:  r("SELECT " + ruleSetColumns + " FROM " + n.ruleSets + " ORDER BY version DESC LIMIT 1"),
		ruleSetVersion: r("SELECT coalesce(max(version), 0) FROM " + n.ruleSets),
		insertRuleSet:  r("INSERT INTO " + n.ruleSets + " (" + ruleSetColumns + ") VALUES (?, ?, ?, ?) ON CONFLICT (version) DO NOTHING"),

		listGroups:  r("SELECT " + groupColumns + " FROM " + n.groups + " ORDER BY id"),
		lockGroup:   r("SELECT version FROM " + n.groups + " WHERE id = ?" + lock),
		insertGroup: r("INSERT INTO " + n.groups + " (" + groupColumns + ") VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"),
		updateGroup: r("UPDATE " + n.groups + " SET config = ?, version = ?, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?"),
		deleteGroup: r("DELETE FROM " + n.groups + " WHERE id = ? AND version = ?"),
		// One open conversation of the group (by the index on state), and
		// one operator listing it, if any.
		groupInUse: r(fmt.Sprintf("SELECT (SELECT id FROM %s WHERE state < %d AND group_id = ? LIMIT 1), (SELECT id FROM %s WHERE %s LIMIT 1)",
			n.conversations, store.Closed, n.operators, d.jsonHas("groups_json", "?"))),
		lockGroupUsers: d.lockTables(n.operators, n.conversations),

		readJournal:   r("SELECT " + journalColumns + " FROM " + n.journal + " WHERE seq > ? ORDER BY seq LIMIT ?"),
		journalBounds: "SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM " + n.journal,
		journalNewest: "SELECT coalesce(max(seq), 0) FROM " + n.journal,
		journalFront:  r("SELECT seq, at_ns FROM " + n.journal + " ORDER BY seq LIMIT ?"),
		pruneJournal:  r("DELETE FROM " + n.journal + " WHERE seq <= ?"),

		closeInterval: r("UPDATE " + n.history + " SET to_ns = ? WHERE to_ns IS NULL AND id = (SELECT max(id) FROM " + n.history +
			" WHERE operator_id = ?)"),
		openInterval: r("INSERT INTO " + n.history + " (operator_id, status, from_ns) VALUES (?, ?, ?)"),
		history: r("SELECT operator_id, status, from_ns, to_ns FROM " + n.history +
			" WHERE operator_id = ? AND from_ns < ? AND (to_ns IS NULL OR to_ns > ?) ORDER BY id"),
		reconcile: r(fmt.Sprintf("SELECT o.id, o.load_count, count(c.id) FROM %s o LEFT JOIN %s c ON c.assignee = o.id AND c.state = %d "+
			"GROUP BY o.id, o.load_count HAVING o.load_count <> count(c.id) ORDER BY o.id", n.operators, n.conversations, store.Assigned)),
		listMigrations:  r("SELECT version, name FROM " + n.migrations + " ORDER BY version"),
		insertMigration: r("INSERT INTO " + n.migrations + " (version, name) VALUES (?, ?)"),
	}
}
