package store

import (
	"context"
	"time"
)

// Store keeps operators and conversations durably and applies conditional
// changes atomically. Implementations must be safe for concurrent use, must
// return rows that share no memory with their own, and must pass the
// conformance suite in package store/storetest.
//
// Every write returns only after it is durable (for the memory store: after
// it is visible to every later read). Rows returned carry the Version the
// store assigned.
type Store interface {
	// CreateOperator stores a new operator. Load, LastAssigned and Version
	// are set by the store. It fails with ErrAlreadyExists if the id is
	// taken and ErrInvalid if the row does not validate.
	CreateOperator(ctx context.Context, op Operator) (Operator, error)
	// UpdateOperator replaces the groups, cap and skills of an existing
	// operator; status, load and times are kept.
	UpdateOperator(ctx context.Context, op Operator) (Operator, error)
	// SetStatus changes an operator's status if the change's conditions
	// hold, sets StatusSince to the change's time and the operator's
	// deadlines to the change's.
	SetStatus(ctx context.Context, ch StatusChange) (Operator, error)
	// SetOperatorDeadlines replaces an operator's deadlines, leaving the
	// rest of the row (and the status history) as it is.
	SetOperatorDeadlines(ctx context.Context, d OperatorDeadlines) (Operator, error)
	// DeleteOperator removes an operator. It fails with
	// ErrHoldsConversations while the operator holds a conversation
	// (assigned or waiting) or has one offered to them.
	DeleteOperator(ctx context.Context, id string) error
	// Operator returns one operator, or ErrNotFound.
	Operator(ctx context.Context, id string) (Operator, error)
	// Operators returns every operator, ordered by id.
	Operators(ctx context.Context) ([]Operator, error)

	// CreateConversation stores a new conversation in the state its row
	// names (Queued, Offered or Assigned), checking req on its assignee or
	// offers as Apply does. The store sets Seq and Version, and EnqueuedAt
	// to CreatedAt when it is zero.
	CreateConversation(ctx context.Context, c Conversation, req Require) (Result, error)
	// Apply applies one conditional change atomically.
	Apply(ctx context.Context, ch Change) (Result, error)
	// Conversation returns one conversation, or ErrNotFound.
	Conversation(ctx context.Context, id string) (Conversation, error)
	// Conversations returns the conversations that pass f, ordered by
	// Seq: the first f.Limit of them (all when it is 0) whose Seq is
	// greater than f.AfterSeq, a page (see Filter). It fails with
	// ErrInvalid, reading nothing, when f does not validate.
	Conversations(ctx context.Context, f Filter) ([]Conversation, error)
	// PreviousOperator returns the operator who was most recently assigned
	// a conversation of the given customer, or "" if none was.
	PreviousOperator(ctx context.Context, customerID string) (string, error)
	// StatusHistory returns the stretches operatorID spent in each status
	// that overlap [from, to), oldest first (P9). Every operator's
	// history starts when they are created (at StatusSince) and every
	// status change closes one stretch and opens the next, atomically with
	// the change. The history of a removed operator is kept. An unknown
	// operator has an empty history.
	StatusHistory(ctx context.Context, operatorID string, from, to time.Time) ([]StatusInterval, error)

	// RuleSet returns the stored rule set; a RuleSet with Version 0 and no
	// Body when none was stored.
	RuleSet(ctx context.Context) (RuleSet, error)
	// SetRuleSet stores rs.Body as the next version if the stored version
	// is still rs.Version (0: none stored yet), and returns what it stored
	// (Version rs.Version+1, UpdatedAt and UpdatedBy as given). It fails
	// with ErrConflict when another version was stored since, and with
	// ErrInvalid for an empty or too large body, a zero UpdatedAt or a too
	// long UpdatedBy (see RuleSet.ValidateSet); nothing changes then.
	SetRuleSet(ctx context.Context, rs RuleSet) (RuleSet, error)

	// Groups returns every stored group, ordered by id.
	Groups(ctx context.Context) ([]GroupRow, error)
	// PutGroup stores g. With g.Version 0 it creates the group, and fails
	// with ErrAlreadyExists if the id is taken; otherwise it replaces the
	// stored row if that is still at g.Version, and fails with ErrConflict
	// if it is at another one and ErrNotFound if there is none. It returns
	// what it stored: g with Version g.Version+1 (UpdatedAt and UpdatedBy
	// as given). It fails with ErrInvalid for bad input (see
	// GroupRow.ValidatePut); nothing changes on an error.
	PutGroup(ctx context.Context, g GroupRow) (GroupRow, error)
	// DeleteGroup removes group id if it is still at version. It fails
	// with ErrNotFound if there is no such group, ErrConflict if it is at
	// another version, and ErrGroupInUse while a conversation of the group
	// is open (in any state but Closed) or an operator lists the group:
	// the check is atomic with the delete, so that no conversation or
	// operator it finds absent is added meanwhile, save by a write that
	// commits after it. An empty or too long id or a version below 1 is
	// ErrInvalid. Nothing changes on an error.
	DeleteGroup(ctx context.Context, id string, version int64) error

	// AppendJournal appends entries to the journal on their own, for
	// events no journaled write carries (see Journaler), and returns them
	// as stored, Seq set, in order: all of them but those it skips for
	// their Key (see Entry.Key), which may leave none. It fails with
	// ErrInvalid, appending nothing, for no entries or an invalid one
	// (Entry.Validate).
	AppendJournal(ctx context.Context, entries []Entry) ([]Entry, error)
	// ReadJournal returns, in order, up to limit journal entries
	// numbered after after: none when after is the newest or later. It
	// fails with ErrPruned (see PrunedError) when the entry numbered
	// after+1 was pruned, and with ErrInvalid for a limit outside 1 to
	// MaxJournalPage.
	ReadJournal(ctx context.Context, after uint64, limit int) ([]Entry, error)
	// JournalBounds returns the numbers of the oldest and newest entries
	// kept.
	JournalBounds(ctx context.Context) (JournalBounds, error)
	// PruneJournal removes the entries p selects (see JournalPrune) and
	// returns how many it removed. It fails with ErrInvalid, removing
	// nothing, when p does not validate.
	PruneJournal(ctx context.Context, p JournalPrune) (int, error)

	// Close releases the store's resources. Later calls fail with ErrClosed.
	Close() error
}
