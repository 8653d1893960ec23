package store

import (
	"fmt"
	"slices"
	"time"
)

// GroupRow is a group's configuration as the store keeps it: opaque to the
// store (the Router encodes and checks it), one row per group, with a
// version for compare-and-set.
type GroupRow struct {
	// ID identifies the group: not empty, at most MaxIDLength bytes long.
	ID string
	// Config is the encoded configuration (JSON, for the Router), not
	// empty and at most MaxGroupConfigSize bytes long.
	Config []byte
	// Version is 1 once created and grows by one with every PutGroup;
	// given to PutGroup, it is the version the caller expects stored (0:
	// none, create the group).
	Version int64
	// UpdatedAt is when the row was stored (the writer's clock).
	UpdatedAt time.Time
	// UpdatedBy names who stored it (an actor name), at most MaxIDLength
	// bytes long; may be empty.
	UpdatedBy string
}

// MaxGroupConfigSize is the largest GroupRow.Config, in bytes, that a Store
// keeps.
const MaxGroupConfigSize = 64 << 10

// ValidatePut checks a row given to Store.PutGroup and returns an error
// matching ErrInvalid that names the first bad field: the id (CheckID), a
// negative Version, an empty Config or one larger than MaxGroupConfigSize,
// a zero UpdatedAt, an UpdatedBy longer than MaxIDLength. Every store
// checks this first, so that all refuse bad input alike.
func (g GroupRow) ValidatePut() error {
	if err := CheckID("group id", g.ID); err != nil {
		return err
	}
	switch {
	case g.Version < 0:
		return fmt.Errorf("%w: group %q: version %d is negative", ErrInvalid, g.ID, g.Version)
	case len(g.Config) == 0:
		return fmt.Errorf("%w: group %q: config is empty", ErrInvalid, g.ID)
	case len(g.Config) > MaxGroupConfigSize:
		return fmt.Errorf("%w: group %q: config of %d bytes is larger than MaxGroupConfigSize (%d)", ErrInvalid, g.ID, len(g.Config), MaxGroupConfigSize)
	case g.UpdatedAt.IsZero():
		return fmt.Errorf("%w: group %q: update time is zero", ErrInvalid, g.ID)
	}
	return CheckIDLength(fmt.Sprintf("group %q: updated by", g.ID), g.UpdatedBy)
}

// CheckVersion returns nil if PutGroup(g) may store g over the row stored,
// of version stored (0: no row), and otherwise the error it fails with:
// ErrAlreadyExists for a create (Version 0) of a group that exists,
// ErrNotFound for an update of one that does not, ErrConflict for an
// update expecting another version.
func (g GroupRow) CheckVersion(stored int64) error {
	switch {
	case g.Version == 0 && stored != 0:
		return fmt.Errorf("%w: group %q", ErrAlreadyExists, g.ID)
	case g.Version != 0 && stored == 0:
		return fmt.Errorf("%w: group %q", ErrNotFound, g.ID)
	case g.Version != stored:
		return fmt.Errorf("%w: group %q is at version %d, want %d", ErrConflict, g.ID, stored, g.Version)
	}
	return nil
}

// Next returns what PutGroup(g) stores once its checks have passed: g with
// Version one higher and a Config that shares no memory with g's.
func (g GroupRow) Next() GroupRow {
	g.Version++
	g.Config = slices.Clone(g.Config)
	return g
}

// Clone returns a copy of g whose Config shares no memory with g's.
func (g GroupRow) Clone() GroupRow {
	g.Config = slices.Clone(g.Config)
	return g
}

// CheckDeleteGroup checks the arguments of Store.DeleteGroup: the id
// (CheckID) and a version of at least 1. It returns an error matching
// ErrInvalid for the first bad one.
func CheckDeleteGroup(id string, version int64) error {
	if err := CheckID("group id", id); err != nil {
		return err
	}
	if version < 1 {
		return fmt.Errorf("%w: group %q: version %d is not a stored version (at least 1)", ErrInvalid, id, version)
	}
	return nil
}

// CheckDeleteVersion returns nil if DeleteGroup(id, version) may delete
// the row stored, of version stored (0: no row), and otherwise the error
// it fails with: ErrNotFound or ErrConflict.
func CheckDeleteVersion(id string, version, stored int64) error {
	switch {
	case stored == 0:
		return fmt.Errorf("%w: group %q", ErrNotFound, id)
	case stored != version:
		return fmt.Errorf("%w: group %q is at version %d, want %d", ErrConflict, id, stored, version)
	}
	return nil
}

// GroupInUse returns the error of a DeleteGroup refused because
// conversation conv (when not "") is open in the group, or operator op
// lists it.
func GroupInUse(id, conv, op string) error {
	if conv != "" {
		return fmt.Errorf("%w: group %q holds open conversation %q", ErrGroupInUse, id, conv)
	}
	return fmt.Errorf("%w: operator %q serves group %q", ErrGroupInUse, op, id)
}
