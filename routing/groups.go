package routing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// Groups are stored (store.GroupRow, in the form of group_json.go), so
// that every Router on a store, and every restart, serves the same ones.
// A Router serves the groups the store holds: it reads them at New
// (storing those of Config.Groups the store does not hold yet), writes
// its own changes (AddGroup, UpdateGroup, SetPolicy, RemoveGroup) to the
// store before its view takes them, and follows the other Routers' changes
// (store.Notice.Groups, and every resync) by reading the groups again.
// r.groupMu makes each of these one step against the store's order: a
// change's write and its view update, or a read of the groups and the
// view's update, never interleave, so that a late answer never undoes a
// later change.

// servedGroup is a group the Router serves: its configuration, as given
// to this Router or decoded from the store, and the version of its stored
// row (0: not stored, see RemoveGroup).
type servedGroup struct {
	g       Group
	version int64
}

// Group returns the configuration of group id as the Router serves it:
// the one given to AddGroup, UpdateGroup or Config.Groups, or the one
// read from the store (durations and hours as stored, its policy as
// built, see Config.Policies). It fails with ErrInvalid for an empty or
// too long id and ErrNotFound for a group the Router does not serve.
func (r *Router) Group(id string) (Group, error) {
	if err := store.CheckID("group id", id); err != nil {
		return Group{}, err
	}
	var s servedGroup
	ok := false
	r.inLock(func() { s, ok = r.served[id] })
	if !ok {
		return Group{}, fmt.Errorf("%w: group %q", ErrNotFound, id)
	}
	return s.g.clone(), nil
}

// clone returns a copy of g that shares no slices with it.
func (g Group) clone() Group {
	g.WaitLevels = slices.Clone(g.WaitLevels)
	g.SkillRelaxKeep = slices.Clone(g.SkillRelaxKeep)
	g.Hours.Exceptions = slices.Clone(g.Hours.Exceptions)
	return g
}

// AddGroup adds a group at run time, for every Router on the store: it is
// stored, then served. by must be an admin (or the system). A policy
// without a policy.Spec is stored under its Name, which the other Routers
// and later starts build only with Config.Policies or a Config.Groups
// entry (see Config.Policies); the Router logs a warning when it has
// neither.
//
// It fails with ErrInvalid if by is not a valid actor, ErrNotAllowed if
// by is not an admin, ErrInvalidConfig if g does not validate or cannot
// be stored (a duration that is not whole milliseconds, a policy.Spec
// that does not build), ErrAlreadyExists if the store holds a group of
// that id, ErrClosed after Stop, and with the store's error; nothing
// changes then.
func (r *Router) AddGroup(ctx context.Context, by Actor, g Group) error {
	end, g, body, err := r.beginGroup(by, "add groups", g)
	if err != nil {
		return err
	}
	defer end()
	r.groupMu.Lock()
	defer r.groupMu.Unlock()
	err = r.locked(func() error {
		if err := r.usable(); err != nil {
			return err
		}
		if r.v.HasGroup(g.ID) {
			return fmt.Errorf("%w: group %q", ErrAlreadyExists, g.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	row, err := r.store.PutGroup(ctx, store.GroupRow{ID: g.ID, Config: body, UpdatedAt: r.clock.Now(), UpdatedBy: actorName(by)})
	if err != nil {
		return err
	}
	r.serve(by, g, row)
	return nil
}

// UpdateGroup replaces the whole configuration of group g.ID for every
// Router on the store (R8 for its policy): it is stored, then served.
// by must be an admin (or the system). g is checked as AddGroup checks
// it; fields left zero take their defaults (a nil Policy the default
// policy), not the group's current values. Another Router's change stored
// meanwhile is replaced: the last configuration stored wins.
//
// The new configuration takes effect at once:
//   - the policy as SetPolicy's does: the queue, offered conversations
//     included, is routed again with it, offers it would not make are
//     withdrawn, and the queues of the other groups of the group's members
//     are routed again too (their caps may change);
//   - the business hours (R6) decide at once whether the group is open
//     (a GroupAvailability event when that flips; a queue that opens is
//     routed);
//   - the site, the wait levels and the skills relaxation apply to what
//     happens from then on;
//   - the durations (AcceptTimeout, AutoClose, WaitingExpiry, the wait
//     levels' After, SkillRelaxAfter) apply to the deadlines set from then
//     on; deadlines already set keep their time.
//
// It fails with ErrInvalid if by is not a valid actor, ErrNotAllowed if
// by is not an admin, ErrInvalidConfig if g does not validate or cannot be
// stored, ErrNotFound if the store holds no group of that id, ErrClosed
// after Stop, and with the store's error; nothing changes then. An error
// matching ErrFollowUp means the configuration is stored and served but
// routing the queues again failed (it is retried on the next trigger).
func (r *Router) UpdateGroup(ctx context.Context, by Actor, g Group) error {
	end, g, body, err := r.beginGroup(by, "update groups", g)
	if err != nil {
		return err
	}
	defer end()
	return r.changeGroup(ctx, by, g.ID, func(Group, error) (Group, []byte, error) { return g, body, nil })
}

// beginGroup admits a command by by (an admin, to do what) that stores
// g: it returns g with its defaults and as the store keeps it, or the
// error of bad input.
func (r *Router) beginGroup(by Actor, what string, g Group) (end func(), _ Group, body []byte, err error) {
	g = g.withDefaults()
	check := by.mustBeAdmin(what)
	if check == nil {
		if check = g.validate(); check == nil {
			body, check = r.storable(g)
		}
	}
	if end, err = r.beginBy(check); err != nil {
		return nil, Group{}, nil, err
	}
	return end, g, body, nil
}

// SetPolicy replaces a group's policy at run time (R8), for every Router
// on the store: it is UpdateGroup of the policy alone, the rest of the
// group's configuration as stored. by must be an admin (or the system).
// Assigned conversations stay with their operators. The queue, offered
// conversations included, is routed again with the new policy at once;
// offers the new policy would not make are withdrawn. Since the policy may
// change the cap of the group's operators (see OperatorSnapshot.Cap), the
// queues of the other groups they serve are routed again too.
//
// It fails with ErrInvalid for a nil policy, an empty group id or an
// invalid actor, ErrInvalidConfig for a policy that cannot be stored (see
// AddGroup), ErrNotAllowed if by is not an admin, ErrNotFound for an
// unknown group, ErrClosed after Stop, and with the store's error; an
// error matching ErrFollowUp means the policy is in place but routing the
// queues again failed (it is retried on the next trigger).
func (r *Router) SetPolicy(ctx context.Context, by Actor, group string, p policy.Policy) error {
	end, err := r.beginBy(errors.Join(by.mustBeAdmin("set policies"), store.CheckID("group id", group)))
	if err != nil {
		return err
	}
	defer end()
	if p == nil {
		return fmt.Errorf("%w: group %q: nil policy", ErrInvalid, group)
	}
	return r.changeGroup(ctx, by, group, func(cur Group, err error) (Group, []byte, error) {
		if err != nil {
			return Group{}, nil, err
		}
		cur.Policy = p
		if err := cur.validate(); err != nil {
			return Group{}, nil, err
		}
		body, err := r.storable(cur)
		return cur, body, err
	})
}

// changeGroup stores what next makes of group id, as served (or, when the
// view's version is stale, as stored, with the error of decoding it), and
// serves the result. A stored version newer than the one next was given
// makes it try again on the stored one, up to maxAttempts times: the last
// write wins.
func (r *Router) changeGroup(ctx context.Context, by Actor, id string, next func(cur Group, err error) (Group, []byte, error)) error {
	r.groupMu.Lock()
	var (
		cur     servedGroup
		curErr  error
		served  bool
		groups  []string
		changed bool
	)
	err := r.locked(func() error {
		cur, served = r.served[id]
		return r.usable()
	})
	for attempt := 0; err == nil && !changed; attempt++ {
		if !served || cur.version == 0 {
			var row store.GroupRow
			if row, err = r.storedGroup(ctx, id); err != nil {
				break
			}
			cur.version = row.Version
			cur.g, curErr = decodeGroup(id, row.Config, r.builders(id, nil))
		}
		var g Group
		var body []byte
		if g, body, err = next(cur.g, curErr); err != nil {
			break
		}
		var saved store.GroupRow
		saved, err = r.store.PutGroup(ctx, store.GroupRow{ID: id, Config: body, Version: cur.version, UpdatedAt: r.clock.Now(), UpdatedBy: actorName(by)})
		if (errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound)) && attempt < maxAttempts {
			served, err = false, nil // read the stored one
			continue
		}
		if err == nil {
			groups, changed = r.serve(by, g, saved), true
		}
	}
	r.groupMu.Unlock()
	if err != nil {
		return err
	}
	return followUp(r.pumpGroups(ctx, by, groups))
}

// storedGroup returns the stored row of group id, or fails with
// ErrNotFound.
func (r *Router) storedGroup(ctx context.Context, id string) (store.GroupRow, error) {
	rows, err := r.store.Groups(ctx)
	if err != nil {
		return store.GroupRow{}, err
	}
	i := slices.IndexFunc(rows, func(g store.GroupRow) bool { return g.ID == id })
	if i < 0 {
		return store.GroupRow{}, fmt.Errorf("%w: group %q", ErrNotFound, id)
	}
	return rows[i], nil
}

// RemoveGroup removes a group, for every Router on the store: it is
// deleted from the store, then no longer served. by must be an admin (or
// the system). A group is removed only once it holds no open conversation
// (in any state but Closed) and no operator serves it: close or transfer
// its conversations and move its operators first. The store's check,
// atomic with the delete, decides; the Router checks its own view first,
// for a clear error at no cost. A group that a Router's Config.Groups
// still lists is stored again when that Router next starts (see
// Config.Groups): take it out of the Config too.
//
// It fails with ErrInvalid for an empty or too long id or an invalid
// actor, ErrNotAllowed if by is not an admin, ErrNotFound for a group the
// Router does not serve or the store does not hold, ErrGroupInUse while
// the group holds conversations or operators, ErrClosed after Stop, and
// with the store's error; nothing changes then. An error matching
// ErrFollowUp means the group is deleted from the store but the Router
// still holds a conversation or operator of it, which changed meanwhile
// (it keeps serving the group for them; a restart would then refuse the
// store's rows until the group is listed in Config.Groups again).
func (r *Router) RemoveGroup(ctx context.Context, by Actor, id string) error {
	end, err := r.beginBy(errors.Join(by.mustBeAdmin("remove groups"), store.CheckID("group id", id)))
	if err != nil {
		return err
	}
	defer end()
	r.groupMu.Lock()
	defer r.groupMu.Unlock()
	var version int64
	err = r.locked(func() error {
		if err := r.usable(); err != nil {
			return err
		}
		version = r.served[id].version
		return r.v.GroupInUse(id)
	})
	for attempt := 0; err == nil; attempt++ {
		if version == 0 {
			var row store.GroupRow
			if row, err = r.storedGroup(ctx, id); err != nil {
				break
			}
			version = row.Version
		}
		err = r.store.DeleteGroup(ctx, id, version)
		if errors.Is(err, store.ErrConflict) && attempt < maxAttempts {
			version, err = 0, nil // changed meanwhile: the last write wins
			continue
		}
		if err != nil {
			return err
		}
		return r.unserve(id)
	}
	return err
}

// unserve stops serving group id, deleted from the store. Caller holds
// r.groupMu.
func (r *Router) unserve(id string) error {
	var err error
	r.inLock(func() {
		if err = r.v.RemoveGroup(id); errors.Is(err, ErrGroupInUse) {
			// Served for what it still holds, but not stored.
			s := r.served[id]
			s.version = 0
			r.served[id] = s
			return
		}
		delete(r.served, id)
		delete(r.checks, id)
	})
	if errors.Is(err, ErrGroupInUse) {
		err = fmt.Errorf("routing: group %q is deleted from the store, but this Router holds rows of it that came meanwhile: %w", id, err)
		r.report(err)
		return followUp(err)
	}
	return nil
}

// serve makes the view serve g, stored as row, unless it serves a later
// version already, and returns the groups whose queues are to be routed
// again (see core.View.UpdateGroup). Caller holds r.groupMu.
func (r *Router) serve(by Actor, g Group, row store.GroupRow) []string {
	version := row.Version
	now := r.clock.Now()
	ev := r.newEvents(now, by)
	var groups []string
	r.inLock(func() {
		if s, ok := r.served[g.ID]; r.closed || ok && s.version >= version && s.version != 0 {
			return
		}
		if r.v.HasGroup(g.ID) {
			groups, _ = r.v.UpdateGroup(g.core(), now)
		} else {
			_ = r.v.AddGroup(g.core(), now)
			groups = []string{g.ID}
		}
		r.served[g.ID] = servedGroup{g: g, version: version}
		from := len(ev.List)
		r.v.AvailabilityEvents([]string{g.ID}, &ev.Events)
		if version > 0 {
			// Every Router serving this row reports it alike (at its
			// start, say): one report is journaled. The row's time tells
			// a group deleted and created again from the one before,
			// whose versions started at 1 too.
			stored := "version " + strconv.FormatInt(version, 10) + " of " + strconv.FormatInt(row.UpdatedAt.UnixNano(), 10)
			ev.KeyAvailability(from, func(string) string { return stored })
		}
	})
	ev.emit()
	r.poke() // its business hours may be due earlier
	return groups
}

// storable returns g, validated, as the store keeps it, checking that it
// decodes as this Router would decode it at its next start: a policy with
// a policy.Spec must build with Config.Policies (a host's kind it does not
// register would fail every later start), one without is built by its
// Name (warned about when neither Config.Policies nor Config.Groups
// builds it, see Config.Policies).
func (r *Router) storable(g Group) ([]byte, error) {
	body, err := g.encode()
	if err != nil {
		return nil, err
	}
	if _, err := decodeGroup(g.ID, body, r.builders(g.ID, g.Policy)); err != nil {
		return nil, err
	}
	if _, ok := policy.SpecOf(g.Policy); !ok {
		if _, ok := r.builders(g.ID, nil)[g.Policy.Name()]; !ok {
			r.log.Warn("routing: the policy of a group has no policy.Spec and no Builder in Config.Policies: "+
				"other Routers, and this one after a restart, cannot build it", "group", g.ID, "policy", g.Policy.Name())
		}
	}
	return body, nil
}

// builders returns the Builders that build the policies of stored group
// id: Config.Policies and, for a kind they lack, by its Name, the policy
// of this Router's Config.Groups entry for id and written (when not nil),
// the policy of a change this Router is storing.
func (r *Router) builders(id string, written policy.Policy) map[string]policy.Builder {
	out := maps.Clone(r.cfg.Policies)
	if out == nil {
		out = map[string]policy.Builder{}
	}
	add := func(p policy.Policy) {
		if p == nil {
			return
		}
		name := p.Name()
		if _, ok := out[name]; ok || policy.IsBuiltinKind(name) {
			return
		}
		out[name] = func(policy.Spec, func(policy.Spec) (policy.Policy, error)) (policy.Policy, error) { return p, nil }
	}
	add(written)
	for _, g := range r.cfg.Groups {
		if g.ID == id {
			add(g.Policy)
		}
	}
	return out
}

// loadGroups reads the store's groups at the start of the Router, stores
// those of Config.Groups the store does not hold, and serves them all. A
// stored group wins over its Config.Groups entry (logged when they
// differ). It fails with ErrInvalidConfig for a stored group it cannot
// decode.
func (r *Router) loadGroups(ctx context.Context) error {
	rows, err := r.store.Groups(ctx)
	if err != nil {
		return fmt.Errorf("routing: reading the groups: %w", err)
	}
	stored := make(map[string]store.GroupRow, len(rows))
	for _, row := range rows {
		stored[row.ID] = row
	}
	given := make(map[string]Group, len(r.cfg.Groups))
	for _, g := range r.cfg.Groups {
		body, err := g.encode()
		if err != nil {
			return err
		}
		row, ok := stored[g.ID]
		if !ok {
			row, err = r.store.PutGroup(ctx, store.GroupRow{ID: g.ID, Config: body, UpdatedAt: r.clock.Now(), UpdatedBy: actorName(BySystem(CauseStart))})
			if errors.Is(err, store.ErrAlreadyExists) {
				// Another Router stored it meanwhile: its row wins.
				row, err = r.storedGroup(ctx, g.ID)
			}
			if err != nil {
				return fmt.Errorf("routing: storing group %q: %w", g.ID, err)
			}
			stored[g.ID] = row
		}
		if bytes.Equal(row.Config, body) {
			given[g.ID] = g
		} else {
			r.log.Warn("routing: the store holds group with another configuration than Config.Groups: the stored one is served "+
				"(change it with UpdateGroup)", "group", g.ID, "stored", string(row.Config), "config", string(body))
		}
	}
	now := r.clock.Now()
	r.groupMu.Lock()
	defer r.groupMu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(stored)) {
		row := stored[id]
		g, ok := given[id]
		if !ok {
			if g, err = decodeGroup(id, row.Config, r.builders(id, nil)); err != nil {
				return err
			}
		}
		r.inLock(func() {
			_ = r.v.AddGroup(g.core(), now)
			r.served[id] = servedGroup{g: g, version: row.Version}
		})
	}
	return nil
}

// syncGroups reads the store's groups and makes the view serve them:
// groups added or changed (a later version) by another Router are served
// as stored, groups deleted are no longer served. A group it cannot decode
// is reported and left as it is; a group deleted that the view still
// holds rows of makes it resynchronise the rows first (they must have
// left), and is left served, reported, if it still does. It returns the
// groups whose queues are to be routed again.
func (r *Router) syncGroups(ctx context.Context, by Actor) ([]string, error) {
	r.groupMu.Lock()
	defer r.groupMu.Unlock()
	rows, err := r.store.Groups(ctx)
	if err != nil {
		return nil, fmt.Errorf("routing: reading the groups: %w", err)
	}
	var served map[string]servedGroup
	r.inLock(func() { served = maps.Clone(r.served) })
	var groups []string
	for _, row := range rows {
		if s, ok := served[row.ID]; ok && s.version >= row.Version {
			continue
		}
		g, err := decodeGroup(row.ID, row.Config, r.builders(row.ID, nil))
		if err != nil {
			r.report(fmt.Errorf("routing: following a change of group %q (version %d): %w", row.ID, row.Version, err))
			continue
		}
		groups = append(groups, r.serve(by, g, row)...)
	}
	var gone []string
	for id, s := range served {
		if s.version != 0 && !slices.ContainsFunc(rows, func(g store.GroupRow) bool { return g.ID == id }) {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	stale := false
	r.inLock(func() {
		for _, id := range gone {
			stale = stale || errors.Is(r.v.GroupInUse(id), ErrGroupInUse)
		}
	})
	if stale {
		// Rows of a group changed in the store before it was deleted
		// (they left it): read them again.
		if err := r.resync(ctx); err != nil {
			return groups, err
		}
	}
	for _, id := range gone {
		_ = r.unserve(id) // a failure is reported
	}
	return groups, nil
}
