package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// TestJournalNumbersAcrossStores: sixteen callers on four Stores of one
// PostgreSQL database append to the journal, alone and with status
// changes, while a reader reads it whole again and again. The numbers
// have no gap and no repeat, each write's entries are one run, each
// caller's writes are numbered in the order it made them, and the reader
// never sees an entry before all the entries numbered below it: numbers
// follow commit order, so a reader that has entry n may wait for n+1.
func TestJournalNumbersAcrossStores(t *testing.T) {
	stores, _, _ := storesOnOneSchema(t, 4)
	const callers, writes = 16, 15
	for i := range callers {
		_, err := stores[0].CreateOperator(t.Context(), store.Operator{ID: fmt.Sprintf("op%02d", i), Status: "ready", StatusSince: t0})
		require.NoError(t, err)
	}

	var stop atomic.Bool
	readerErr := make(chan error, 1)
	go func() {
		readerErr <- func() error {
			for !stop.Load() {
				es, err := stores[3].ReadJournal(context.Background(), 0, store.MaxJournalPage)
				if err != nil {
					return err
				}
				for i, e := range es {
					if e.Seq != uint64(i+1) {
						return fmt.Errorf("the reader saw entry %d at place %d", e.Seq, i+1)
					}
				}
			}
			return nil
		}()
	}()

	runs := make([][][]store.Entry, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			s := stores[i%len(stores)]
			for k := range writes {
				es := []store.Entry{{At: t0, Body: fmt.Appendf(nil, "%d/%d/a", i, k)}, {At: t0, Body: fmt.Appendf(nil, "%d/%d/b", i, k)}}
				if k%2 == 0 {
					got, err := s.AppendJournal(t.Context(), es)
					if err != nil {
						t.Error(err)
						return
					}
					runs[i] = append(runs[i], got)
					continue
				}
				h := &keepStored{entries: es}
				status := []string{"ready", "away"}[k%4/2]
				if _, err := s.SetStatus(t.Context(), store.StatusChange{Operator: fmt.Sprintf("op%02d", i), To: status, At: t0, Journal: h}); err != nil {
					t.Error(err)
					return
				}
				runs[i] = append(runs[i], h.stored)
			}
		})
	}
	close(start)
	wg.Wait()
	stop.Store(true)
	require.NoError(t, <-readerErr)

	seen := map[uint64]string{}
	for i, rs := range runs {
		require.Len(t, rs, writes, "caller %d", i)
		var last uint64
		for k, es := range rs {
			require.Len(t, es, 2, "caller %d write %d", i, k)
			require.Greater(t, es[0].Seq, last, "caller %d's writes are numbered in order", i)
			require.Equal(t, es[0].Seq+1, es[1].Seq, "a write's entries are one run")
			for _, e := range es {
				require.NotContains(t, seen, e.Seq, "number %d handed out twice", e.Seq)
				seen[e.Seq] = string(e.Body)
			}
			last = es[1].Seq
		}
	}
	all, err := stores[1].ReadJournal(t.Context(), 0, store.MaxJournalPage)
	require.NoError(t, err)
	require.Len(t, all, 2*callers*writes)
	for i, e := range all {
		require.Equal(t, uint64(i+1), e.Seq)
		require.Equal(t, seen[e.Seq], string(e.Body))
	}
}

// storesOnOneSchema returns n Stores with pools of their own on one fresh
// PostgreSQL schema, migrated, and a pool of the test's own and the
// schema's name, for raw statements.
func storesOnOneSchema(t *testing.T, n int) (stores []*sqlstore.Store, pool *sql.DB, schema string) {
	t.Helper()
	pool = postgresPool(t)
	schema, _ = freshSchema(t, pool)
	dsn := postgresDSN(t)
	stores = make([]*sqlstore.Store, n)
	for i := range stores {
		s, err := sqlstore.OpenPostgres(t.Context(), dsn, sqlstore.WithSchema(schema))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		require.NoError(t, s.Migrate(t.Context()))
		stores[i] = s
	}
	return stores, pool, schema
}

// keepStored journals the given entries and keeps them as stored.
type keepStored struct {
	entries, stored []store.Entry
}

func (k *keepStored) Entries(store.Written) []store.Entry { return k.entries }
func (k *keepStored) Stored(es []store.Entry)             { k.stored = es }
