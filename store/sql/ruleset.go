package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// RuleSet returns the stored rule set: the highest version of the table
// of rule sets, or a RuleSet with Version 0 and no Body when none was
// stored.
func (s *Store) RuleSet(ctx context.Context) (store.RuleSet, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.RuleSet{}, err
	}
	defer done()
	rs, err := scanRuleSet(s.reader().QueryRowContext(ctx, s.q.selectRuleSet))
	if errors.Is(err, sql.ErrNoRows) {
		return store.RuleSet{}, nil
	}
	if err != nil {
		return store.RuleSet{}, s.mapError(ctx, "read rule set", err)
	}
	return rs, nil
}

// SetRuleSet stores rs as the next version of the rule set, a new row of
// the table of rule sets (the versions before are kept), if the stored
// version is still rs.Version. It runs in a write transaction like every
// write (batched with others, see the package documentation) and is
// reported to the Stores watching the database (store.Notice.RuleSet).
//
// Of several SetRuleSet calls expecting the same version, by any number
// of Stores on one database, exactly one succeeds: each inserts the
// version after the one it expects, which the table's primary key lets in
// once; the others insert nothing (on PostgreSQL, once the first has
// committed) and fail with store.ErrConflict.
func (s *Store) SetRuleSet(ctx context.Context, rs store.RuleSet) (store.RuleSet, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.RuleSet{}, err
	}
	defer done()
	if err := firstError(rs.ValidateSet(), checkRuleSet(rs)); err != nil {
		return store.RuleSet{}, err
	}
	rs.UpdatedAt = utc(rs.UpdatedAt)
	next := rs.Next()
	err = s.write(ctx, "set rule set", "", func(q *writeTx) error {
		var stored int64
		if err := q.queryRow(ctx, s.q.ruleSetVersion).Scan(&stored); err != nil {
			return err
		}
		if err := rs.CheckVersion(stored); err != nil {
			return err
		}
		n, err := q.execCount(ctx, s.q.insertRuleSet, next.Version, next.Body, timeArg(next.UpdatedAt), next.UpdatedBy)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: rule set: version %d was stored meanwhile", store.ErrConflict, next.Version)
		}
		q.storedRuleSet()
		return nil
	})
	if err != nil {
		return store.RuleSet{}, err
	}
	return next.Clone(), nil
}

// scanRuleSet reads a row of ruleSetColumns.
func scanRuleSet(sc scanner) (store.RuleSet, error) {
	var (
		rs      store.RuleSet
		updated sql.NullInt64
	)
	if err := sc.Scan(&rs.Version, &rs.Body, &updated, &rs.UpdatedBy); err != nil {
		return store.RuleSet{}, err
	}
	rs.UpdatedAt = timeOf(updated)
	return rs, nil
}
