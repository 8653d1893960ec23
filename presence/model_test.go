package presence_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

func TestModel_Status(t *testing.T) {
	m := presence.Standard()
	s, ok := m.Status(presence.StatusCanHelp)
	require.True(t, ok)
	require.Equal(t, presence.Status{Name: "can-help", Capabilities: presence.QueueTake | presence.Transfers}, s)
	s, ok = m.Status("lunch")
	require.False(t, ok)
	require.Equal(t, presence.Status{}, s)
}

func TestModel_Has(t *testing.T) {
	m := presence.Standard()
	tests := []struct {
		status string
		c      presence.Capability
		want   bool
	}{
		{"ready", presence.All, true},
		{"ready", 0, true},
		{"can-help", presence.QueueTake, true},
		{"can-help", presence.QueueTake | presence.AutoAssign, false},
		{"pause", presence.Transfers, true},
		{"pause", presence.QueueTake, false},
		{"away", 0, true},
		{"away", presence.Transfers, false},
		{"lunch", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, m.Has(tt.status, tt.c), "Has(%q, %v)", tt.status, tt.c)
	}
}

func TestModel_With(t *testing.T) {
	m := presence.Standard()
	tests := []struct {
		c    presence.Capability
		want []string
	}{
		{0, []string{"ready", "can-help", "pause", "away", "offline"}},
		{presence.AutoAssign, []string{"ready"}},
		{presence.QueueTake, []string{"ready", "can-help"}},
		{presence.Transfers, []string{"ready", "can-help", "pause"}},
		{presence.AdminAssign, []string{"ready"}},
		{presence.QueueTake | presence.Transfers, []string{"ready", "can-help"}},
		{presence.All, []string{"ready"}},
		{0x10, nil},
		{presence.AutoAssign | 0x80, nil},
	}
	for _, tt := range tests {
		t.Run(tt.c.String(), func(t *testing.T) {
			got := m.With(tt.c)
			require.Equal(t, tt.want, got)
			if len(got) > 0 {
				require.Same(t, &got[0], &m.With(tt.c)[0], "precomputed: the same slice each call")
				require.Equal(t, len(got), cap(got), "appending must not write into the model")
			}
		})
	}
	require.Nil(t, presence.ActiveInactive().With(presence.QueueTake|0x20))
	require.Equal(t, []string{"green"}, presence.Toggle().With(presence.Transfers))
}

func TestModel_Check(t *testing.T) {
	d := presence.Definition{
		Statuses: []presence.Status{
			{Name: "online", Capabilities: presence.All},
			{Name: "lunch"},
			{Name: "offline"},
		},
		Transitions: []presence.Transition{
			{From: "offline", To: "online"},
			{From: "online", To: "lunch"},
			{From: "lunch", To: "online"},
			{From: "online", To: "offline"},
		},
	}
	m := presence.MustNew(d)
	tests := []struct {
		from, to string
		want     error // nil, ErrUnknownStatus or ErrTransitionNotAllowed
		msg      string
	}{
		{"offline", "online", nil, ""},
		{"online", "lunch", nil, ""},
		{"lunch", "online", nil, ""},
		{"online", "offline", nil, ""},
		{"lunch", "lunch", nil, ""},
		{"offline", "offline", nil, ""},
		{"offline", "lunch", presence.ErrTransitionNotAllowed, `from "offline" to "lunch"`},
		{"lunch", "offline", presence.ErrTransitionNotAllowed, `from "lunch" to "offline"`},
		{"away", "online", presence.ErrUnknownStatus, `"away"`},
		{"online", "away", presence.ErrUnknownStatus, `"away"`},
		{"away", "away", presence.ErrUnknownStatus, `"away"`},
		{"", "online", presence.ErrUnknownStatus, `""`},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to, func(t *testing.T) {
			err := m.Check(tt.from, tt.to)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			general := store.ErrNotFound
			if tt.want == presence.ErrTransitionNotAllowed {
				general = store.ErrNotAllowed
			}
			require.ErrorIs(t, err, general)
			require.Contains(t, err.Error(), tt.msg)
		})
	}

	// No transitions listed: every move between defined statuses is allowed.
	d.Transitions = nil
	free := presence.MustNew(d)
	for _, from := range free.With(0) {
		for _, to := range free.With(0) {
			require.NoError(t, free.Check(from, to))
		}
	}
	require.ErrorIs(t, free.Check("online", "away"), presence.ErrUnknownStatus)
}

func TestErrors_WrapStoreSentinels(t *testing.T) {
	require.True(t, errors.Is(presence.ErrUnknownStatus, store.ErrNotFound))
	require.True(t, errors.Is(presence.ErrTransitionNotAllowed, store.ErrNotAllowed))
	require.True(t, errors.Is(presence.ErrInvalidDefinition, store.ErrInvalid))
	require.False(t, errors.Is(presence.ErrUnknownStatus, presence.ErrInvalidDefinition))
}

func TestModel_ConcurrentReads(t *testing.T) {
	m := presence.Standard()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_ = m.With(presence.Transfers)
				_ = m.Check(presence.StatusReady, presence.StatusPause)
				_ = m.Forbidden(presence.StatusOffline)
				_, _ = m.Status(presence.StatusPause)
				_ = m.Statuses()
				_ = m.Definition()
				_ = m.Has(presence.StatusReady, presence.All)
			}
		})
	}
	wg.Wait()
}
