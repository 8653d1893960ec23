package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// Groups returns every stored group, ordered by id.
func (s *Store) Groups(ctx context.Context) ([]store.GroupRow, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := s.reader().QueryContext(ctx, s.q.listGroups)
	if err != nil {
		return nil, s.mapError(ctx, "read groups", err)
	}
	defer rows.Close()
	out := []store.GroupRow{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, s.mapError(ctx, "read groups", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(ctx, "read groups", err)
	}
	return out, nil
}

// PutGroup creates a group (g.Version 0) or replaces its row if it is
// still at g.Version. It runs in a write transaction like every write
// (batched with others, see the package documentation) and is reported to
// the Stores watching the database (store.Notice.Groups). Of concurrent
// calls, by any number of Stores, creating one group or expecting the same
// version of it, exactly one succeeds: the row is locked, or, for a
// create, the primary key lets one insert in (on PostgreSQL, once the
// first has committed).
func (s *Store) PutGroup(ctx context.Context, g store.GroupRow) (store.GroupRow, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.GroupRow{}, err
	}
	defer done()
	if err := firstError(g.ValidatePut(), checkText("group id", g.ID), checkGroup(g)); err != nil {
		return store.GroupRow{}, err
	}
	g.UpdatedAt = utc(g.UpdatedAt)
	next := g.Next()
	err = s.write(ctx, "put group", "", func(q *writeTx) error {
		stored, err := s.lockGroup(ctx, q, g.ID)
		if err != nil {
			return err
		}
		if err := g.CheckVersion(stored); err != nil {
			return err
		}
		if g.Version == 0 {
			n, err := q.execCount(ctx, s.q.insertGroup, next.ID, next.Config, next.Version, timeArg(next.UpdatedAt), next.UpdatedBy)
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: group %q was created meanwhile", store.ErrAlreadyExists, g.ID)
			}
		} else {
			n, err := q.execCount(ctx, s.q.updateGroup, next.Config, next.Version, timeArg(next.UpdatedAt), next.UpdatedBy, g.ID, g.Version)
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: group %q changed meanwhile", store.ErrConflict, g.ID)
			}
		}
		q.changedGroups()
		return nil
	})
	if err != nil {
		return store.GroupRow{}, err
	}
	return next.Clone(), nil
}

// DeleteGroup removes group id if it is still at version and neither an
// open conversation nor an operator names it. On PostgreSQL the
// transaction first locks the tables of operators and conversations
// against writes (LOCK TABLE ... IN SHARE MODE): it waits for the writes
// under way, and holds back new ones until it commits, so that none adds
// what its check found absent. It is reported to the Stores watching the
// database (store.Notice.Groups).
func (s *Store) DeleteGroup(ctx context.Context, id string, version int64) error {
	done, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := firstError(store.CheckDeleteGroup(id, version), checkText("group id", id)); err != nil {
		return err
	}
	return s.write(ctx, "delete group", "", func(q *writeTx) error {
		if s.q.lockGroupUsers != "" {
			if err := q.exec(ctx, s.q.lockGroupUsers); err != nil {
				return err
			}
		}
		stored, err := s.lockGroup(ctx, q, id)
		if err != nil {
			return err
		}
		if err := store.CheckDeleteVersion(id, version, stored); err != nil {
			return err
		}
		var conv, op sql.NullString
		if err := q.queryRow(ctx, s.q.groupInUse, id, id).Scan(&conv, &op); err != nil {
			return err
		}
		if conv.Valid || op.Valid {
			return store.GroupInUse(id, conv.String, op.String)
		}
		if err := q.exec(ctx, s.q.deleteGroup, id, version); err != nil {
			return err
		}
		q.changedGroups()
		return nil
	})
}

// lockGroup returns the stored version of group id, 0 if there is none,
// and locks its row until the transaction ends.
func (s *Store) lockGroup(ctx context.Context, q *writeTx, id string) (int64, error) {
	var stored int64
	err := q.queryRow(ctx, s.q.lockGroup, id).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return stored, err
}

// scanGroup reads a row of groupColumns.
func scanGroup(sc scanner) (store.GroupRow, error) {
	var (
		g       store.GroupRow
		updated sql.NullInt64
	)
	if err := sc.Scan(&g.ID, &g.Config, &g.Version, &updated, &g.UpdatedBy); err != nil {
		return store.GroupRow{}, err
	}
	g.UpdatedAt = timeOf(updated)
	return g, nil
}
