package sqlstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// TestJournalWithoutPipelining: on a PostgreSQL pool whose writes are not
// pipelined (a database/sql driver other than pgx's), the journal's
// entries are numbered by the reserving statement and inserted in runs,
// as on SQLite: journaled writes and appends, keyed ones too, number
// without a gap.
func TestJournalWithoutPipelining(t *testing.T) {
	s, ok := freshPostgres(t, "sbtest_np_")
	if !ok {
		t.Skip("SWITCHBOARD_TEST_POSTGRES is not set")
	}
	s.pipelines = false // as on another driver

	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	got, err := s.AppendJournal(t.Context(), []store.Entry{{At: at, Body: []byte("a")}, {At: at, Body: []byte("b"), Key: "k"}})
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 2}, []uint64{got[0].Seq, got[1].Seq})
	_, err = s.CreateOperator(t.Context(), store.Operator{ID: "ann", Groups: []string{"g"}, Status: "ready", StatusSince: at})
	require.NoError(t, err)
	hook := &journalOf{entries: []store.Entry{{At: at, Body: []byte("c")}, {At: at, Body: []byte("d")}}}
	_, err = s.CreateConversation(t.Context(), store.Conversation{ID: "c1", Group: "g", State: store.Queued, CreatedAt: at}, store.Require{Journal: hook})
	require.NoError(t, err)
	require.Equal(t, []uint64{3, 4}, []uint64{hook.stored[0].Seq, hook.stored[1].Seq})
	got, err = s.AppendJournal(t.Context(), []store.Entry{{At: at, Body: []byte("e"), Key: "k"}, {At: at, Body: []byte("f")}})
	require.NoError(t, err)
	require.Len(t, got, 1, "k is kept")
	require.Equal(t, uint64(5), got[0].Seq)
	all, err := s.ReadJournal(t.Context(), 0, 10)
	require.NoError(t, err)
	var bodies string
	for i, e := range all {
		require.Equal(t, uint64(i+1), e.Seq)
		bodies += string(e.Body)
	}
	require.Equal(t, "abcdf", bodies)
}

// journalOf journals the given entries and keeps them as stored.
type journalOf struct {
	entries, stored []store.Entry
}

func (j *journalOf) Entries(store.Written) []store.Entry { return j.entries }
func (j *journalOf) Stored(es []store.Entry)             { j.stored = es }
