package routing_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
	"github.com/switchboard-go/switchboard/store/storetest"
)

// countedStore is a store whose writes are counted once armed (reads are
// not).
type countedStore struct {
	*storetest.Recorder
	armed  atomic.Bool
	writes atomic.Int64
}

func newCountedStore() *countedStore {
	s := &countedStore{}
	s.Recorder = storetest.NewRecorder(memory.New(), 0, func(op storetest.Op) {
		if s.armed.Load() && op.Return == 0 {
			s.writes.Add(1)
		}
	})
	return s
}

// TestIDsLongerThanMaxIDLengthRefusedBeforeTheStore: a command naming an
// id of more than store.MaxIDLength bytes (an operator, a conversation, a
// group or a customer), or a channel as long, fails with ErrInvalid
// without trying to write to the store, and the store and the router's
// view stay as they were.
func TestIDsLongerThanMaxIDLengthRefusedBeforeTheStore(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("é", store.MaxIDLength/2) + "x"
	require.Len(t, long, store.MaxIDLength+1)
	setup := func(t *testing.T) (*routing.Router, *countedStore) {
		st := newCountedStore()
		r, err := routing.New(ctx, routing.Config{Store: st, Clock: clock.NewMock(), ManualDeadlines: true, Presence: presence.Standard(),
			Groups: []routing.Group{{ID: "g", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})}, {ID: "h"}}})
		require.NoError(t, err)
		_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"g", "h"}, Status: presence.StatusReady})
		require.NoError(t, err)
		for _, id := range []string{"c1", "c2", "c3"} { // ann, then queued
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"})
			require.NoError(t, err)
		}
		_, err = r.CloseConversation(ctx, routing.ByOperator("ann"), "c1", "done")
		require.NoError(t, err)
		st.armed.Store(true)
		return r, st
	}
	admin := routing.ByAdmin("boss")
	cases := map[string]func(r *routing.Router) error{
		"add operator: id": func(r *routing.Router) error {
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: long, Groups: []string{"g"}})
			return err
		},
		"add operator: group": func(r *routing.Router) error {
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "bob", Groups: []string{"g", long}})
			return err
		},
		"update operator: id": func(r *routing.Router) error {
			_, err := r.UpdateOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: long, Groups: []string{"g"}})
			return err
		},
		"remove operator": func(r *routing.Router) error { return r.RemoveOperator(ctx, routing.ByAdmin("admin"), long) },
		"set status":      func(r *routing.Router) error { return r.SetStatus(ctx, admin, long, presence.StatusAway) },
		"log in":          func(r *routing.Router) error { return r.LogIn(ctx, routing.ByOperator(long), long) },
		"end shift":       func(r *routing.Router) error { return r.EndShift(ctx, admin, long) },
		"operator active": func(r *routing.Router) error { return r.OperatorActive(ctx, routing.ByOperator(long), long) },
		"enqueue: id": func(r *routing.Router) error {
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: long, Group: "g"})
			return err
		},
		"enqueue: group": func(r *routing.Router) error {
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c9", Group: long})
			return err
		},
		"enqueue: customer": func(r *routing.Router) error {
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c9", Group: "g", CustomerID: long})
			return err
		},
		"enqueue: channel": func(r *routing.Router) error {
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c9", Group: "g", Channel: long})
			return err
		},
		"start outbound: operator": func(r *routing.Router) error {
			_, err := r.StartOutbound(ctx, routing.ByOperator(long), routing.NewConversation{ID: "c9", Group: "g"}, long)
			return err
		},
		"start outbound: id": func(r *routing.Router) error {
			_, err := r.StartOutbound(ctx, routing.ByOperator("ann"), routing.NewConversation{ID: long, Group: "g"}, "ann")
			return err
		},
		"reopen: old id": func(r *routing.Router) error {
			_, err := r.Reopen(ctx, long, routing.NewConversation{ID: "c9"})
			return err
		},
		"take: operator":         func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByOperator(long), "c3"); return err },
		"take: conversation":     func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByOperator("ann"), long); return err },
		"assign: operator":       func(r *routing.Router) error { _, err := r.Assign(ctx, admin, "c3", long); return err },
		"accept":                 func(r *routing.Router) error { _, err := r.Accept(ctx, admin, long); return err },
		"close":                  func(r *routing.Router) error { _, err := r.CloseConversation(ctx, admin, long, "x"); return err },
		"release":                func(r *routing.Router) error { _, err := r.Release(ctx, admin, long); return err },
		"mark waiting":           func(r *routing.Router) error { _, err := r.MarkWaiting(ctx, admin, long); return err },
		"customer replied":       func(r *routing.Router) error { _, err := r.CustomerReplied(ctx, long); return err },
		"operator replied":       func(r *routing.Router) error { _, err := r.OperatorReplied(ctx, admin, long); return err },
		"transfer: target":       func(r *routing.Router) error { _, err := r.TransferToOperator(ctx, admin, "c2", long); return err },
		"transfer: conversation": func(r *routing.Router) error { _, err := r.TransferToOperator(ctx, admin, long, "ann"); return err },
		"transfer to group":      func(r *routing.Router) error { _, err := r.TransferToGroup(ctx, admin, "c2", long); return err },
	}
	for name, do := range cases {
		t.Run(name, func(t *testing.T) {
			r, st := setup(t)
			defer r.Stop(context.Background())
			ops, convs, snap := dump(t, st), dumpConvs(t, st), r.Snapshot()
			err := do(r)
			require.ErrorIs(t, err, routing.ErrInvalid)
			require.Contains(t, err.Error(), "MaxIDLength")
			require.Zero(t, st.writes.Load(), "a write reached the store")
			require.Equal(t, ops, dump(t, st))
			require.Equal(t, convs, dumpConvs(t, st))
			require.Equal(t, snap, r.Snapshot())
		})
	}

	// Reads pass the id to the store, which refuses it alike.
	r, _ := setup(t)
	defer r.Stop(context.Background())
	_, err := r.Conversation(ctx, long)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = r.Operator(ctx, long)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = r.TimeInStatus(ctx, long, presence.Date{Year: 2026, Month: time.March, Day: 2}, time.UTC)
	require.ErrorIs(t, err, routing.ErrInvalid)
}

// TestGroupIDLongerThanMaxIDLengthRefused: a group id of more than
// store.MaxIDLength bytes is a bad configuration, at New and at AddGroup.
func TestGroupIDLongerThanMaxIDLengthRefused(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("g", store.MaxIDLength+1)
	_, err := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: long}}})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
	r, err := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "g"}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	require.ErrorIs(t, r.AddGroup(ctx, routing.ByAdmin("admin"), routing.Group{ID: long}), routing.ErrInvalidConfig)
	require.Equal(t, []string{"g"}, r.Groups())
	require.NoError(t, r.AddGroup(ctx, routing.ByAdmin("admin"), routing.Group{ID: strings.Repeat("g", store.MaxIDLength)}), "the longest id is a valid one")
}
