// Package rules is the rules engine that runs before routing: an ordered
// list of rules, each testing a conversation that enters a queue (its
// channel, group, customer, page URL, company, language, tags, the time)
// and acting on it (choose its group, set its priority, require skills,
// prefer an operator, tag it, set attributes, queue it off-hours). This is
// behaviour D1 of docs/behaviour.md; D2's typical rules (a company's
// customers are urgent, pages whose URL contains a text go to a
// department) are rules of this kind, and, as D3 asks, rules are data:
// JSON that an admin UI stores and edits, and a rule that does not check
// out is refused with a message naming the bad field.
//
// The package is pure: it reads no clock (the time comes in as Input.Now),
// does no I/O beyond loading time zones when a rule set is made, and
// starts no goroutines. A Set, made by Decode from JSON or by New from Go
// values, is checked and compiled once and is read-only afterwards, safe
// for concurrent use; Set.Evaluate runs it on one conversation.
//
// # Example
//
// A rule set as JSON:
//
//	{
//	  "rules": [
//	    {"name": "shop pages go to sales", "enabled": true,
//	     "when": {"field": "url", "op": "contains", "value": "/shop"},
//	     "then": {"group": "sales"}},
//	    {"name": "red company is urgent",
//	     "when": {"field": "company", "op": "equals", "value": "red company", "ignore_case": true},
//	     "then": {"priority": 10, "tags": ["urgent"]}, "stop": true},
//	    {"name": "german telegram",
//	     "when": {"all": [{"field": "channel", "op": "equals", "value": "telegram"},
//	                      {"field": "language", "op": "in", "values": ["de", "de-AT", "de-CH"]}]},
//	     "then": {"skills": ["de:3"]}},
//	    {"name": "vip to manager", "on": ["enqueue", "reopen", "transfer"],
//	     "when": {"field": "attr.vip", "op": "exists"},
//	     "then": {"prefer": {"operator": "anna", "wait": "30s"}}},
//	    {"name": "night shift", "on": ["enqueue"],
//	     "when": {"all": [{"field": "time", "op": "between", "value": "22:00-06:00", "zone": "Europe/Berlin"},
//	                      {"not": {"field": "tag", "op": "equals", "value": "urgent"}}]},
//	     "then": {"group": "night", "attributes": {"shift": "night"}}},
//	    {"name": "weekend", "enabled": false,
//	     "when": {"field": "weekday", "op": "in", "values": ["sat", "sun"], "zone": "Europe/Berlin"},
//	     "then": {"off_hours": true}}
//	  ]
//	}
//
// A web chat from https://example.com/shop/cart by a customer of "Red
// Company" goes to sales (first rule), becomes urgent with priority 10 and
// tag "urgent" (second rule, ignoring case), and stops there: the later
// rules do not run. A German Telegram chat with attribute "vip" is asked
// to require skill de at level 3 and to wait 30 seconds for operator anna.
// The weekend rule is kept but disabled.
//
// # Schema
//
// The top level is an object with one key, "rules": an array of at most
// MaxRules rules (an empty array is an empty set). A rule is an object:
//
//	name      string, required: unique in the set, at most MaxNameLength
//	          bytes, no control characters
//	enabled   boolean, default true: a disabled rule never matches
//	on        array of triggers, each at most once: "enqueue", "reopen",
//	          "transfer"; default (when omitted) ["enqueue", "reopen"];
//	          an empty array is refused
//	when      condition, optional: without one, the rule always matches
//	then      actions, required
//	stop      boolean, default false: evaluation stops after this rule
//	          matches
//
// A condition is an object of exactly one form: a leaf test, with "field"
// and "op"; "all", an array of at least one condition that must all hold;
// "any", an array of at least one condition of which one must hold; or
// "not", a condition that must not hold. Conditions nest at most MaxDepth
// deep. A leaf's keys:
//
//	field        string, required: what is tested (see Fields)
//	op           string, required: the operator (see Operators)
//	value        string: what the operator compares with; required by
//	             every operator but "in" and "exists", forbidden with them;
//	             not empty, at most MaxValueLength bytes
//	values       array of strings, for "in" only (required there): at
//	             least one, at most MaxValues, each not empty and listed
//	             once
//	ignore_case  boolean, default false: compare text without regard to
//	             case (Unicode simple case folding, as strings.EqualFold);
//	             not with "exists", "time" or "weekday"
//	zone         string: the IANA zone ("Europe/Berlin", "UTC") in which
//	             "time" and "weekday" read the time; required for them,
//	             forbidden for every other field; "Local" is refused
//
// Actions are an object with at least one of:
//
//	group       string: set the group (one the Catalog knows)
//	priority    integer from MinPriority to MaxPriority: set the priority
//	            (1.5, 1e2 and "10" are refused)
//	skills      array of skill strings ("de", "de:3", see
//	            policy.ParseSkill) that the Catalog knows, each name once:
//	            add required skills
//	prefer      object: try one operator first; exactly one of
//	            "operator" (an operator's id, at most store.MaxIDLength
//	            bytes) and "previous": true (the customer's previous
//	            operator), and optionally "wait", how long the
//	            conversation waits for them before the group's policy
//	            takes over, a Go duration string ("30s", "2m") from 0 to
//	            MaxWait; without it, routing falls back at once when they
//	            cannot take the conversation now
//	tags        array of strings, each not empty, at most MaxNameLength
//	            bytes and listed once: add tags
//	attributes  object of strings: set attributes, keys not empty and at
//	            most MaxNameLength bytes, values at most MaxValueLength
//	off_hours   boolean: queue without routing; the Router emits its
//	            off-hours event
//
// An empty array or object where a list of actions or values goes is
// refused, as is an empty string where a name, field, operator, value,
// zone, group or operator id goes, and null anywhere.
//
// # Fields
//
//	channel      Input.Channel
//	group        the conversation's group: Input.Group, or the group an
//	             earlier matching rule set
//	customer     Input.CustomerID
//	url          Input.Attributes[AttrURL]
//	site         Input.Attributes[AttrSite]
//	company      Input.Attributes[AttrCompany]
//	language     Input.Attributes[AttrLanguage]
//	attr.<key>   Input.Attributes[<key>], key not empty ("attr.plan")
//	tag          Input.Tags: the leaf holds when any tag satisfies it,
//	             but "not_equals" holds when no tag equals the value (it
//	             is the negation of "equals"); "exists" holds when there
//	             is a tag that is not empty; with no tags, only
//	             "not_equals" holds
//	time         Input.Now's time of day in the zone; "between" only
//	weekday      Input.Now's day in the zone; "equals", "not_equals" and
//	             "in" only, with the days "mon", "tue", "wed", "thu",
//	             "fri", "sat", "sun"
//
// Attributes include the ones earlier matching rules set. A missing
// attribute is the empty string, so "not_equals" holds on it and "equals"
// does not; an empty value is refused ("equals" "" would be a test for a
// missing field: write one with "exists", under "not").
//
// # Operators
//
// Text fields take every operator but "between":
//
//	equals       the field is the value
//	not_equals   the field is not the value
//	contains     the field contains the value
//	starts_with  the field starts with the value
//	ends_with    the field ends with the value
//	in           the field is one of the values
//	matches      the field matches the regular expression (RE2 syntax, as
//	             the regexp package; unanchored; at most MaxRegexpLength
//	             bytes), compiled once when the set is made
//	exists       the field is present and not empty; no value
//	between      the time of day lies in the window "HH:MM-HH:MM", from
//	             included to excluded, on a 24-hour clock from 00:00 to
//	             23:59; a window that ends before it starts wraps past
//	             midnight ("22:00-06:00"); start and end differ
//
// Without ignore_case, text compares byte by byte. With it, text compares
// rune by rune under simple case folding: "contains" holds when a run of
// the field's runes equals the value under strings.EqualFold, and so on;
// "matches" compiles the expression with the flag (?i).
//
// # Evaluation
//
// Set.Evaluate runs the rules in order on one conversation, for one
// Trigger. It skips a disabled rule and a rule whose On does not list the
// trigger. A rule matches when its condition holds on the conversation as
// the rules that matched before it changed it: a rule that sets group
// "sales" makes a later "group equals sales" hold, and tags and attributes
// that earlier rules added are visible to later conditions. A matching
// rule's actions apply in the order group, priority, skills, prefer, tags,
// attributes, off-hours. A later rule overrides the group, priority and
// prefer of an earlier one and adds to its skills, tags and attributes
// (overriding an attribute of the same key); off-hours, once set, stays
// set. Skills merge by name, the highest level asked for winning. A rule
// with stop ends the evaluation when it matches. The Result holds the
// conversation as changed and the rules that matched, each with the text
// of its changes (Match). Evaluate never changes the Input's slices or
// map, and allocates only when a rule matches, for the Result's own
// slices and map.
//
// # Errors
//
// Decode and New refuse a rule set as a whole on its first fault, in
// document order: rule by rule, and within an object, each key's value as
// it is read and what depends on several keys when the object ends. The
// error is an *Error, matching ErrInvalid, whose Path names the bad value
// as it is spelt in JSON:
//
//	rules[2].when.any[0].op: unknown operator "contians"
//	rules[0].then.group: unknown group "salse"
//	rules[1].when.all[0].value: bad regexp "a(": missing closing )
//	rules[3].then.colour: unknown field
//	rules: missing
//	rules[4].name: "vip" used twice (rules[1])
//	rules[0].when.zone: unknown zone "Europe/Berln"
//	rules[0].then: no action
//
// Unknown keys at any level are faults, as are keys given twice in one
// object, values of the wrong JSON type, invalid JSON and data after the
// rule set. A group or skill the Catalog does not know gives an error
// matching ErrUnknownGroup or ErrUnknownSkill too; a skill string that
// does not parse, policy.ErrInvalidSkill.
//
// # Limits
//
// A JSON rule set is at most MaxSize bytes (1 MiB); a set has at most
// MaxRules rules (1000); conditions nest at most MaxDepth deep (32); an
// "in" list has at most MaxValues values (256), and one rule's actions at
// most as many skills, tags and attributes; a value is at most
// MaxValueLength bytes (1024), a regular expression at most
// MaxRegexpLength (1024); names, tags, attribute keys and zones at most
// MaxNameLength (128).
//
// # Canonical form
//
// Set.MarshalJSON writes the canonical form, which Decode reads back into
// a Set with the same Rules and the same encoding: keys in the order of
// the schema above, no white space, optional keys omitted when they hold
// their default or nothing, "enabled" always written, "on" only when it
// is not the default and then in the order enqueue, reopen, transfer,
// waits as time.Duration.String writes them ("2m0s"). Set.Rules returns
// the rules as given, with On normalised the same way: nil for the
// default.
//
// # Time zones
//
// Zones are loaded with time.LoadLocation when the set is made, once per
// zone. The package imports time/tzdata, so named zones load on a machine
// without a zoneinfo database too (the machine's own database, when it
// has one, is read first).
package rules
