package store

import (
	"fmt"
	"math"
	"time"
)

// The journal (S5): every event a Router reports is appended to one
// journal per store, in the transaction of the write that caused it, and
// numbered by one store-wide sequence. A Router reads it back to replay
// events a subscriber missed (after a restart, say) and to deliver the
// events of other Routers on the same database in one order.
//
// Sequence numbers start at 1 and have no gaps: each entry committed is
// numbered one more than the entry committed before it, so a reader that
// has seen entry n and is shown n+2 knows n+1 exists. Pruning removes
// entries from the oldest end only and always keeps the newest one, so
// the entries kept are one run of consecutive numbers and numbers are
// never handed out twice.

// The range of Entry.At.
var (
	minEntryTime = time.Unix(0, math.MinInt64)
	maxEntryTime = time.Unix(0, math.MaxInt64)
)

// MaxEntryBody is the largest Entry.Body a store accepts: room for an
// event that names ten thousand operators of the longest ids (an offer to
// a group that large).
const MaxEntryBody = 8 << 20

// MaxJournalPage is the most entries one ReadJournal call returns.
const MaxJournalPage = 10000

// Entry is one event in the journal.
type Entry struct {
	// Seq is the entry's number in the journal, set by the store.
	Seq uint64
	// At is when the event happened, by its writer's clock. Required,
	// from minEntryTime to maxEntryTime (what nanoseconds since 1970 in
	// an int64 hold); stores return it in UTC.
	At time.Time
	// Body is the event as its writer encoded it; the store keeps it as
	// given. Required, at most MaxEntryBody bytes.
	Body []byte
	// Key, when not empty, makes an AppendJournal of the entry happen
	// once: the store skips an entry whose Key an entry it still keeps
	// has, or an earlier entry of the same call (at most MaxIDLength
	// bytes). Writers that each report one fact (several Routers seeing
	// the same business hours open) append it under one key. Only
	// AppendJournal takes keys: a Journaler's entries have none.
	Key string
}

// Validate checks what a writer gives (At and Body; Seq is ignored) and
// returns an error matching ErrInvalid naming what is wrong.
func (e Entry) Validate() error {
	switch {
	case e.At.IsZero():
		return fmt.Errorf("%w: journal entry: zero time", ErrInvalid)
	case e.At.Before(minEntryTime) || e.At.After(maxEntryTime):
		return fmt.Errorf("%w: journal entry: time %v out of range", ErrInvalid, e.At)
	case len(e.Body) == 0:
		return fmt.Errorf("%w: journal entry: empty body", ErrInvalid)
	case len(e.Body) > MaxEntryBody:
		return fmt.Errorf("%w: journal entry: body of %d bytes (at most %d)", ErrInvalid, len(e.Body), MaxEntryBody)
	}
	return CheckIDLength("journal entry key", e.Key)
}

// ValidateAppend checks the entries given to AppendJournal: at least one,
// each valid (see Entry.Validate).
func ValidateAppend(es []Entry) error {
	if len(es) == 0 {
		return fmt.Errorf("%w: journal append: no entries", ErrInvalid)
	}
	for _, e := range es {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// ValidateEntries checks the entries a Journaler returns: each valid (see
// Entry.Validate), and without a Key.
func ValidateEntries(es []Entry) error {
	for _, e := range es {
		if err := e.Validate(); err != nil {
			return err
		}
		if e.Key != "" {
			return fmt.Errorf("%w: journal entry: key %q on a write's entry (keys are for AppendJournal)", ErrInvalid, e.Key)
		}
	}
	return nil
}

// Keyed reports whether an entry of es has a Key.
func Keyed(es []Entry) bool {
	for _, e := range es {
		if e.Key != "" {
			return true
		}
	}
	return false
}

// Unkept returns the entries of es to append when the journal already
// keeps the keys for which kept reports true: es without the entries
// whose Key is kept or repeats an earlier entry's, in order. Every store
// applies AppendJournal's keys with it.
func Unkept(es []Entry, kept func(key string) bool) []Entry {
	out := make([]Entry, 0, len(es))
	seen := map[string]bool{}
	for _, e := range es {
		if e.Key != "" {
			if seen[e.Key] || kept(e.Key) {
				continue
			}
			seen[e.Key] = true
		}
		out = append(out, e)
	}
	return out
}

// Journaler is a write's journal hook: set on a conversation write
// (Require.Journal, for CreateConversation and Apply) or a status change
// (StatusChange.Journal), it is asked for the entries the write appends,
// and told their numbers once they are stored. Events no such write
// carries go in with Store.AppendJournal.
type Journaler interface {
	// Entries is called inside the write's transaction, once the write
	// has passed its checks (a refused write never calls it), with what
	// the write stores; the entries it returns are appended in that
	// transaction, in order. An invalid entry (see Entry.Validate) fails
	// the write with ErrInvalid, and nothing changes. A store may call
	// Entries more than once for one write, when it runs the transaction
	// again: only the last call's entries are stored. It must not call
	// the store, and must return entries that share no memory with the
	// store's rows.
	Entries(w Written) []Entry
	// Stored is called once the write is durable, before it returns, on
	// the goroutine that made it and with no lock of the store held, with
	// the entries as stored (Seq set, consecutive). It is not called when
	// the write fails, also when its outcome is unknown
	// (ErrOutcomeUnknown): a reader finds its entries in the journal if it
	// was stored; nor when Entries returned none.
	Stored(entries []Entry)
}

// Written is what a journaled write stores, as its Journaler is shown it.
// It shares memory with what the write stores and returns: a Journaler
// reads it and does not change it.
type Written struct {
	// Result is what CreateConversation or Apply stores.
	Result Result
	// Operator is the row SetStatus stores.
	Operator Operator
}

// JournalBounds are the numbers of the journal's oldest and newest
// entries, both 0 while it has none.
type JournalBounds struct {
	Oldest, Newest uint64
}

// JournalPrune says which entries PruneJournal removes: from the oldest
// on, those older than Before (an entry with an At not before it, and
// every entry after that one, is kept) or beyond the Keep newest, at most
// Limit of them. The newest entry is always kept.
type JournalPrune struct {
	// Before, when not zero, removes the entries from the oldest on
	// whose At is before it.
	Before time.Time
	// Keep, when positive, removes the entries older than the Keep
	// newest.
	Keep uint64
	// Limit is the most entries one call removes: 1 to MaxJournalPage.
	Limit int
}

// Validate returns an error matching ErrInvalid unless p sets Before or
// Keep, and a Limit from 1 to MaxJournalPage.
func (p JournalPrune) Validate() error {
	switch {
	case p.Before.IsZero() && p.Keep == 0:
		return fmt.Errorf("%w: journal prune: neither an age nor a count", ErrInvalid)
	case p.Limit < 1 || p.Limit > MaxJournalPage:
		return fmt.Errorf("%w: journal prune: limit %d (1 to %d)", ErrInvalid, p.Limit, MaxJournalPage)
	}
	return nil
}

// CheckJournalPage returns an error matching ErrInvalid unless limit is
// from 1 to MaxJournalPage.
func CheckJournalPage(limit int) error {
	if limit < 1 || limit > MaxJournalPage {
		return fmt.Errorf("%w: journal page of %d entries (1 to %d)", ErrInvalid, limit, MaxJournalPage)
	}
	return nil
}

// PrunedError returns the error of a journal read that asked for entries
// after after, some of which were pruned: it matches ErrPruned and names
// the oldest entry kept.
func PrunedError(after, oldest uint64) error {
	return fmt.Errorf("%w: entries after %d were pruned; the oldest kept is %d", ErrPruned, after, oldest)
}

// PruneCut returns how many of es, the oldest entries of a journal whose
// newest is newest, p removes (see JournalPrune): a prefix of es.
func PruneCut(es []Entry, newest uint64, p JournalPrune) int {
	n := 0
	for _, e := range es {
		if n == p.Limit || e.Seq >= newest {
			break
		}
		byCount := p.Keep > 0 && e.Seq <= newest-min(p.Keep, newest)
		byAge := !p.Before.IsZero() && e.At.Before(p.Before)
		if !byCount && !byAge {
			break
		}
		n++
	}
	return n
}
