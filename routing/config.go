package routing

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/routing/rules"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// Config configures a Router. The zero value is usable: every field has a
// default.
type Config struct {
	// Store keeps operators and conversations. A Router opened on a store
	// that already holds rows resumes from them. Defaults to a new
	// in-memory store.
	Store store.Store
	// Clock is the Router's only source of time; inject clock.NewMock() in
	// tests and simulations. Defaults to the real clock.
	Clock clock.Clock
	// Presence defines the operator statuses and their rules. Defaults to
	// presence.Standard().
	Presence *presence.Model
	// Groups lists groups to serve from the start, used when the store
	// does not hold them yet: New stores each group listed here that the
	// store does not hold. The Router serves every group the store holds,
	// listed here or not; more are added with AddGroup.
	//
	// A group the store holds already WINS OVER ITS ENTRY HERE: once a
	// group is stored (by a Router's start, or by AddGroup), every Router
	// on the store serves the stored configuration, and changing the
	// entry here changes nothing (New logs a warning when they differ).
	// Change a stored group with UpdateGroup (or SetPolicy), and remove it
	// with RemoveGroup (and from here, or the next New stores it again).
	// Defaults to none.
	Groups []Group
	// Policies builds the policies of the host's own kinds (policy.Spec.Kind
	// other than the built-in ones) that stored groups name, when the
	// Router reads them at New and when it follows another Router's
	// change. A group's policy is stored as its policy.Spec (see
	// policy.SpecOf) or, for a policy that has none, as a Spec of the
	// policy's Name alone: building that takes Policies[name] or, failing
	// that, this Router's entry for the group in Groups if its policy has
	// that Name, so that a host with a policy of its own on one Router
	// keeps working. A stored group none of them builds fails New, and is
	// left as it is when followed (reported through OnError). Keys must
	// not be built-in kinds. Defaults to none.
	Policies map[string]policy.Builder
	// EventBuffer is how many events each subscription holds unread
	// (its channel has one slot more, for the Lagged marker). An event
	// for a subscription holding that many ends it with a Lagged marker:
	// events from that sequence on were not delivered to this
	// subscription, and the host subscribes again (see Subscription).
	// Defaults to DefaultEventBuffer; at most MaxEventBuffer.
	EventBuffer int
	// RestrictTransfersToSite refuses a transfer to a group whose Site
	// differs from the conversation's current group's Site (L6).
	// Defaults to false.
	RestrictTransfersToSite bool
	// Takeover matters when several Routers share one store (a Store that
	// implements store.Feed, such as the SQL store on PostgreSQL): it is
	// how long a Router leaves to the Router that started it the work that
	// became due or possible there: a deadline another Router set (an
	// offer's accept timeout, an operator's inactivity switch, ...), and a
	// queued conversation that can be routed after a change another
	// Router made (a slot freed, an operator came on shift). Past it, any
	// Router does the work, once (the store's conditional changes see to
	// that): Takeover bounds how long a Router that died leaves its work
	// undone. Zero, the default, lets every Router act at once: no delay,
	// but Routers race for the same work, and all but one of them waste
	// a refused write on it. A second or two suits most clusters. Ignored
	// without a feed. Must not be negative.
	Takeover time.Duration
	// ManualDeadlines stops the router from running a goroutine that
	// processes deadlines when the clock reaches them: only ProcessDue
	// does. Tests and simulations on a mock clock set it and call
	// ProcessDue after advancing the clock, so that nothing runs behind
	// their back. Defaults to false.
	ManualDeadlines bool
	// MaxClockSkew bounds how far the Router's clock may be from its
	// store's, when the store has a clock of its own (store.Clock, such as
	// the SQL store on PostgreSQL): Routers that share a store act on each
	// other's deadlines, so they must agree on time. The Router measures
	// the offset when it starts and every ClockCheck; beyond the bound it
	// reports ErrClockSkew through OnError and runs on the store's clock
	// (its own corrected by the offset) until the offset is back within
	// it. Keep Takeover above twice MaxClockSkew. Zero means
	// DefaultMaxClockSkew; a negative value turns the checks off (for a
	// simulation whose mock clock has nothing to do with the database's).
	MaxClockSkew time.Duration
	// ClockCheck is how often the offset to the store's clock is measured
	// (see MaxClockSkew), on Clock: by the deadline loop, or by ProcessDue
	// under ManualDeadlines. Zero means DefaultClockCheck; must not be
	// negative.
	ClockCheck time.Duration
	// OnError, when set, is told of the failures of the work the Router
	// does in the background, which no caller sees: following other
	// Routers' changes (retried after a pause), processing due deadlines
	// (retried after a pause), and a clock found too far from the store's
	// (ErrClockSkew). Each is reported when it happens, so a store that
	// stays unreachable is reported about once a second. It is called
	// without any lock held, from the Router's own goroutines, or from
	// New and ProcessDue for a clock check they make, and should return
	// promptly; it must not call Stop (see Router.Stop). Every such failure is logged at level Error on
	// Logger too. Defaults to nil: not reported.
	OnError func(error)
	// Rules is the rule set run before routing (D1, package rules), used
	// when the store holds none: it is stored as the store's first rule
	// set. Once a rule set is stored (by a Router's start or by
	// SetRules), every Router on the store runs the stored one, and
	// Config.Rules is ignored; change it with SetRules. Defaults to none.
	Rules *rules.Set
	// Skills names skills the Router knows besides those its operators
	// hold, so that a rule may require a skill nobody holds yet (a rule
	// set naming an unknown skill is refused, D3). Names only, without
	// levels. Defaults to none.
	Skills []string
	// NoJournal keeps the Router's events out of the store's journal
	// (S5): events are then numbered by the Router alone, from 1 at each
	// New, and Resume is refused. By default every event is written into
	// the journal with the change behind it, so that a subscriber can
	// resume across restarts and every Router on the store delivers the
	// same sequence.
	NoJournal bool
	// JournalRetention bounds the journal; the zero value keeps
	// DefaultJournalRetention (7 days) of events.
	JournalRetention JournalRetention

	// Logger receives the Router's log records: failures of background
	// work (Error), a clock beyond MaxClockSkew (Error, through OnError's
	// path), work left to a later trigger after a failure (Warn), and
	// each change feed notice followed (Debug). Defaults to a logger that
	// discards everything.
	Logger *slog.Logger
	// Observer, when set, is told of every event the Router emits and of
	// every store write it makes, with its duration and error, for
	// metrics and tracing (see Observer; package routing/prommetrics
	// exports them to Prometheus). While it is set, every kind of event
	// is built, whatever the subscriptions want. Defaults to nil: none.
	Observer Observer
}

// Group configures one group: a set of operators serving one queue.
type Group struct {
	// ID identifies the group. Required, at most store.MaxIDLength bytes
	// long.
	ID string
	// Policy routes the group's conversations; it can be replaced at run
	// time with SetPolicy or UpdateGroup. It is stored as its policy.Spec
	// (see Config.Policies). Defaults to
	// policy.Capped(policy.LeastLoaded(), policy.CapOptions{}).
	Policy policy.Policy
	// Site names the site or channel family the group belongs to, for
	// RestrictTransfersToSite. Defaults to "".
	Site string
	// WaitLevels are the escalation thresholds on a customer's wait for an
	// answer, in increasing order (L10). Defaults to none.
	WaitLevels []WaitLevel
	// AutoClose closes a conversation whose customer has not replied for
	// this long after the operator's last message (L4; BPMSoft's 60
	// minutes). Zero never closes one: long dialogs must not be lost
	// (L9). Defaults to 0.
	AutoClose time.Duration
	// WaitingExpiry closes a conversation left waiting on its customer
	// this long (L3). Defaults to 0: never.
	WaitingExpiry time.Duration
	// Hours are the group's business hours (R6): outside them
	// nothing is assigned or offered automatically, a new conversation
	// waits in the queue with an OffHours event, and the group reports
	// itself offline (P10). Defaults to the zero Hours: always open.
	Hours presence.Hours
	// AcceptTimeout takes back an automatic assignment or an offer not
	// accepted (Accept, OperatorReplied, or a take) in this time, counts
	// it as missed by the operators concerned, and routes it to someone
	// else, or to them again when nobody else is eligible (L2).
	// Defaults to 0: never.
	AcceptTimeout time.Duration
	// SkillRelaxAfter relaxes what a waiting conversation requires (D5,
	// the "expanding target" of contact-centre routers): a conversation
	// that joins the group's queue requiring skills beyond SkillRelaxKeep
	// and still waits after this long requires only those of its skills
	// whose names SkillRelaxKeep lists (none when it is empty), with a
	// SkillsRelaxed event, and is routed again. The deadline is stored
	// with the conversation, so a restarted Router keeps it. Defaults to
	// 0: never.
	SkillRelaxAfter time.Duration
	// SkillRelaxKeep names the skills a relaxed requirement keeps, at the
	// levels asked for (see SkillRelaxAfter). Defaults to none.
	SkillRelaxKeep []string
}

// DefaultEventBuffer is the subscription buffer used when
// Config.EventBuffer is zero.
const DefaultEventBuffer = 1024

// MaxEventBuffer is the largest Config.EventBuffer New accepts. Each
// subscription's buffer is allocated in full when it subscribes, and an
// Event takes about 224 bytes on a 64-bit machine: a buffer of
// MaxEventBuffer takes about 224 MiB per subscription.
const MaxEventBuffer = 1 << 20

// withDefaults returns a copy of c with every unset field given its
// default.
func (c Config) withDefaults() Config {
	if c.Store == nil {
		c.Store = memory.New()
	}
	if c.Clock == nil {
		c.Clock = clock.New()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Presence == nil {
		c.Presence = presence.Standard()
	}
	if c.EventBuffer == 0 {
		c.EventBuffer = DefaultEventBuffer
	}
	if c.MaxClockSkew == 0 {
		c.MaxClockSkew = DefaultMaxClockSkew
	}
	if c.ClockCheck == 0 {
		c.ClockCheck = DefaultClockCheck
	}
	groups := make([]Group, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = g.withDefaults()
	}
	c.Groups = groups
	return c
}

// validate reports the first bad field, matching ErrInvalidConfig.
func (c Config) validate() error {
	if c.EventBuffer < 0 {
		return fmt.Errorf("%w: EventBuffer %d is negative", ErrInvalidConfig, c.EventBuffer)
	}
	if c.EventBuffer > MaxEventBuffer {
		return fmt.Errorf("%w: EventBuffer %d is more than MaxEventBuffer (%d)", ErrInvalidConfig, c.EventBuffer, MaxEventBuffer)
	}
	if c.Takeover < 0 {
		return fmt.Errorf("%w: Takeover %v is negative", ErrInvalidConfig, c.Takeover)
	}
	if c.ClockCheck < 0 {
		return fmt.Errorf("%w: ClockCheck %v is negative", ErrInvalidConfig, c.ClockCheck)
	}
	if err := checkSkillNames("Skills", c.Skills); err != nil {
		return err
	}
	for _, kind := range slices.Sorted(maps.Keys(c.Policies)) {
		switch {
		case policy.IsBuiltinKind(kind):
			return fmt.Errorf("%w: Policies: %q is a built-in policy kind", ErrInvalidConfig, kind)
		case kind == "":
			return fmt.Errorf("%w: Policies: a kind is empty", ErrInvalidConfig)
		case c.Policies[kind] == nil:
			return fmt.Errorf("%w: Policies: the Builder of %q is nil", ErrInvalidConfig, kind)
		}
	}
	seen := make(map[string]bool, len(c.Groups))
	for i, g := range c.Groups {
		if err := g.validate(); err != nil {
			return fmt.Errorf("group %d: %w", i, err)
		}
		if seen[g.ID] {
			return fmt.Errorf("%w: group %q listed twice", ErrInvalidConfig, g.ID)
		}
		seen[g.ID] = true
	}
	return nil
}

func (g Group) withDefaults() Group {
	if g.Policy == nil {
		g.Policy = DefaultPolicy()
	}
	return g
}

func (g Group) validate() error {
	if g.ID == "" {
		return fmt.Errorf("%w: group id is empty", ErrInvalidConfig)
	}
	if err := store.CheckIDLength("group id", g.ID); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	switch {
	case g.AutoClose < 0:
		return fmt.Errorf("%w: group %q: AutoClose %v is negative", ErrInvalidConfig, g.ID, g.AutoClose)
	case g.WaitingExpiry < 0:
		return fmt.Errorf("%w: group %q: WaitingExpiry %v is negative", ErrInvalidConfig, g.ID, g.WaitingExpiry)
	case g.AcceptTimeout < 0:
		return fmt.Errorf("%w: group %q: AcceptTimeout %v is negative", ErrInvalidConfig, g.ID, g.AcceptTimeout)
	case g.SkillRelaxAfter < 0:
		return fmt.Errorf("%w: group %q: SkillRelaxAfter %v is negative", ErrInvalidConfig, g.ID, g.SkillRelaxAfter)
	}
	if err := checkSkillNames(fmt.Sprintf("group %q: SkillRelaxKeep", g.ID), g.SkillRelaxKeep); err != nil {
		return err
	}
	if err := g.Hours.Validate(); err != nil {
		return fmt.Errorf("%w: group %q: %w", ErrInvalidConfig, g.ID, err)
	}
	if err := validWaitLevels(g.ID, g.WaitLevels); err != nil {
		return err
	}
	// What the store cannot keep of it.
	_, err := g.encode()
	return err
}

// core returns what the core's view needs of g.
func (g Group) core() core.GroupConfig {
	levels := make([]core.WaitLevel, len(g.WaitLevels))
	for i, l := range g.WaitLevels {
		levels[i] = core.WaitLevel{Name: l.Name, After: l.After}
	}
	return core.GroupConfig{
		ID: g.ID, Site: g.Site, Policy: g.Policy, WaitLevels: levels,
		AutoClose: g.AutoClose, WaitingExpiry: g.WaitingExpiry, AcceptTimeout: g.AcceptTimeout, Hours: g.Hours,
		SkillRelaxAfter: g.SkillRelaxAfter, SkillRelaxKeep: slices.Clone(g.SkillRelaxKeep),
	}
}

// DefaultPolicy returns the policy a group gets when it names none:
// balanced routing with caps taken from each operator (no group default).
func DefaultPolicy() policy.Policy {
	return policy.Capped(policy.LeastLoaded(), policy.CapOptions{})
}
