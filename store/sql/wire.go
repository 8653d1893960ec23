package sqlstore

import (
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// The rows a notification carries (see payload) are encoded with short
// keys, leaving out what is empty: a notification is sent for every write
// and received by every other Store, so its size is paid for over and over,
// in the database's queue, on the wire and in decoding. Times travel as the
// store keeps them, in Unix nanoseconds (absent: the zero time). Rows are
// decoded (see decodePayload) as a database read returns them (see
// storedOperator, storedConversation). A conversation's state travels as
// its number, not as the name store.State's MarshalText writes: a Store of
// an older version must still read what a newer one sends, and the
// other way round.

// wireOperator is a store.Operator in a notification.
type wireOperator struct {
	ID           string         `json:"i"`
	Groups       []string       `json:"g,omitempty"`
	Cap          int            `json:"k,omitempty"`
	Skills       []string       `json:"sk,omitempty"`
	Status       string         `json:"s,omitempty"`
	StatusSince  *int64         `json:"ss,omitempty"`
	Load         int            `json:"l,omitempty"`
	LastAssigned *int64         `json:"la,omitempty"`
	Deadlines    []deadlineJSON `json:"d,omitempty"`
	Version      int64          `json:"v"`
}

// wireConversation is a store.Conversation in a notification.
type wireConversation struct {
	ID              string            `json:"i"`
	Group           string            `json:"g,omitempty"`
	Channel         string            `json:"ch,omitempty"`
	CustomerID      string            `json:"cu,omitempty"`
	Priority        int               `json:"p,omitempty"`
	Skills          []string          `json:"sk,omitempty"`
	Attributes      map[string]string `json:"at,omitempty"`
	State           uint8             `json:"st,omitempty"` // store.State's number, not its name
	Assignee        string            `json:"a,omitempty"`
	OfferedTo       []string          `json:"of,omitempty"`
	LastOperator    string            `json:"lo,omitempty"`
	LinkedTo        string            `json:"lt,omitempty"`
	CreatedAt       *int64            `json:"ca,omitempty"`
	EnqueuedAt      *int64            `json:"ea,omitempty"`
	Seq             uint64            `json:"q,omitempty"`
	AssignedAt      *int64            `json:"aa,omitempty"`
	ClosedAt        *int64            `json:"xa,omitempty"`
	CloseReason     string            `json:"xr,omitempty"`
	AllBusyNotified bool              `json:"ab,omitempty"`
	Deadlines       []deadlineJSON    `json:"d,omitempty"`
	MissedBy        []string          `json:"mb,omitempty"`
	Tags            []string          `json:"tg,omitempty"`
	Preferred       string            `json:"pf,omitempty"`
	OffHours        bool              `json:"oh,omitempty"`
	Rules           []ruleMatchJSON   `json:"ru,omitempty"`
	Version         int64             `json:"v"`
}

// wireOperatorOf returns o as a notification carries it.
func wireOperatorOf(o store.Operator) wireOperator {
	return wireOperator{
		ID: o.ID, Groups: o.Groups, Cap: o.Cap, Skills: o.Skills, Status: o.Status, StatusSince: nanosOf(o.StatusSince),
		Load: o.Load, LastAssigned: nanosOf(o.LastAssigned), Deadlines: deadlinesJSON(o.Deadlines), Version: o.Version,
	}
}

// operator returns the row w carries, as the store reads it back.
func (w wireOperator) operator() store.Operator {
	return storedOperator(store.Operator{
		ID: w.ID, Groups: w.Groups, Cap: w.Cap, Skills: w.Skills, Status: w.Status, StatusSince: timeOfNanos(w.StatusSince),
		Load: w.Load, LastAssigned: timeOfNanos(w.LastAssigned), Deadlines: deadlinesFrom(w.Deadlines), Version: w.Version,
	})
}

// wireConversationOf returns c as a notification carries it.
func wireConversationOf(c store.Conversation) wireConversation {
	return wireConversation{
		ID: c.ID, Group: c.Group, Channel: c.Channel, CustomerID: c.CustomerID, Priority: c.Priority,
		Skills: c.Skills, Attributes: c.Attributes, State: uint8(c.State), Assignee: c.Assignee, OfferedTo: c.OfferedTo,
		LastOperator: c.LastOperator, LinkedTo: c.LinkedTo, CreatedAt: nanosOf(c.CreatedAt), EnqueuedAt: nanosOf(c.EnqueuedAt),
		Seq: c.Seq, AssignedAt: nanosOf(c.AssignedAt), ClosedAt: nanosOf(c.ClosedAt), CloseReason: c.CloseReason,
		AllBusyNotified: c.AllBusyNotified, Deadlines: deadlinesJSON(c.Deadlines), MissedBy: c.MissedBy,
		Tags: c.Tags, Preferred: c.Preferred, OffHours: c.OffHours, Rules: rulesJSON(c.Rules), Version: c.Version,
	}
}

// conversation returns the row w carries, as the store reads it back.
func (w wireConversation) conversation() store.Conversation {
	return storedConversation(store.Conversation{
		ID: w.ID, Group: w.Group, Channel: w.Channel, CustomerID: w.CustomerID, Priority: w.Priority,
		Skills: w.Skills, Attributes: w.Attributes, State: store.State(w.State), Assignee: w.Assignee, OfferedTo: w.OfferedTo,
		LastOperator: w.LastOperator, LinkedTo: w.LinkedTo, CreatedAt: timeOfNanos(w.CreatedAt), EnqueuedAt: timeOfNanos(w.EnqueuedAt),
		Seq: w.Seq, AssignedAt: timeOfNanos(w.AssignedAt), ClosedAt: timeOfNanos(w.ClosedAt), CloseReason: w.CloseReason,
		AllBusyNotified: w.AllBusyNotified, Deadlines: deadlinesFrom(w.Deadlines), MissedBy: w.MissedBy,
		Tags: w.Tags, Preferred: w.Preferred, OffHours: w.OffHours, Rules: rulesFrom(w.Rules), Version: w.Version,
	})
}

// nanosOf returns t in Unix nanoseconds, nil for the zero time. Only times
// that fit (see timeFits) are written, so only those travel.
func nanosOf(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

// timeOfNanos returns the time n holds, in UTC; nil is the zero time.
func timeOfNanos(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.Unix(0, *n).UTC()
}
