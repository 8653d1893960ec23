package storetest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// fullOp returns an op with every field that encodes set, the rows with
// every field of theirs, so that its JSON shows the whole format.
func fullOp() Op {
	at := time.Date(2026, 12, 3, 10, 0, 0, 123456789, time.UTC)
	dl := []store.Deadline{{Kind: store.WaitLevel, Due: at.Add(time.Minute), Level: 2}}
	rules := []store.RuleMatch{{Rule: "vip", Changes: []string{"priority 10"}}, {Rule: "quiet"}}
	op := store.Operator{
		ID: "ann", Groups: []string{"support"}, Cap: 3, Skills: []string{"de:3"}, Status: "online", StatusSince: at,
		Load: 1, LastAssigned: at, Deadlines: dl, Version: 7,
	}
	conv := store.Conversation{
		ID: "c1", Group: "support", Channel: "web", CustomerID: "cu1", Priority: 2, Skills: []string{"de:3"},
		Attributes: map[string]string{"site": "x"}, Tags: []string{"t"}, Preferred: "ann", OffHours: true, Rules: rules,
		State: store.Assigned, Assignee: "ann", OfferedTo: []string{"bob"}, LastOperator: "ann", LinkedTo: "c0",
		CreatedAt: at, EnqueuedAt: at, Seq: 5, AssignedAt: at, ClosedAt: at, CloseReason: "done", AllBusyNotified: true,
		Deadlines: dl, MissedBy: []string{"bob"}, Version: 4,
	}
	req := store.Require{AssigneeStatuses: []string{"online"}, AssigneeCap: 3, OfferStatuses: []string{"online", "away"}}
	profile := store.Profile{Priority: 1, Skills: []string{"fr"}, Tags: []string{"t"}, Attributes: map[string]string{"a": "b"},
		Preferred: "ann", OffHours: true, Rules: rules}
	return Op{
		Client: 2, Seq: 9, Method: MethodApply, Call: 100, Return: 200,
		Input: Input{
			Operator: &op, OperatorID: "ann",
			Status:       &store.StatusChange{Operator: "ann", From: "away", To: "online", Forbid: []store.State{store.Assigned, store.Waiting}, At: at, Deadlines: dl},
			Deadlines:    &store.OperatorDeadlines{Operator: "ann", Version: 7, Deadlines: dl},
			Conversation: &conv, Require: &req,
			Change: &store.Change{
				Conversation: "c1", From: []store.State{store.Queued, store.Offered}, Assignee: "bob", Version: 3, To: store.Assigned,
				NewAssignee: "ann", Offers: []string{"bob"}, Group: "sales", Requeue: true, CloseReason: "r", MarkAllBusy: true,
				SetDeadlines: true, Deadlines: dl, DropDeadlines: []store.DeadlineKind{store.AcceptTimeout}, AddMissed: []string{"bob"},
				Profile: &profile, Require: req, At: at,
			},
		},
		Output: Output{
			Err: ClassConflict, Error: "conflict", Operator: &op,
			Result: &store.Result{
				Before: conv, Conversation: conv,
				Released: store.Load{Operator: "bob", Load: 1, LastAssigned: at, Version: 8},
				Gained:   store.Load{Operator: "ann", Load: 2, LastAssigned: at, Version: 9},
			},
		},
	}
}

// An Op encodes as it always has, whatever JSON methods the rows it
// carries have: histories written by one version of a test are read by
// another, and a child process's by its parent.
func TestOpJSONFormatIsStable(t *testing.T) {
	got, err := json.Marshal(fullOp())
	require.NoError(t, err)
	require.JSONEq(t, opGolden, string(got))
}

// An Op decodes from its JSON as it was, every field of the rows it
// carries included (a check of linearizability needs their versions,
// sequence numbers and deadlines). fullOp sets every field, so a field
// added to a row fails this test until fullOp sets it too.
func TestOpJSONRoundTripsEveryField(t *testing.T) {
	op := fullOp()
	requireEveryFieldSet(t, reflect.ValueOf(op), "Op")
	raw, err := json.Marshal(op)
	require.NoError(t, err)
	var back Op
	require.NoError(t, json.Unmarshal(raw, &back))
	require.Equal(t, op, back)
	require.NoError(t, json.Unmarshal([]byte(opGolden), &back))
	require.Equal(t, op, back, "the old format decodes")
}

// requireEveryFieldSet fails if a field of v, or of a struct it holds
// (through pointers, and the first element of slices), is zero. A time is
// a value, not a struct to look into; a field JSON leaves out (a write's
// journal hook) is not looked at.
func requireEveryFieldSet(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	require.False(t, v.IsZero(), "%s is not set", path)
	switch v.Kind() {
	case reflect.Pointer:
		requireEveryFieldSet(t, v.Elem(), path)
	case reflect.Slice:
		requireEveryFieldSet(t, v.Index(0), path+"[0]")
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.Tag.Get("json") != "-" {
				requireEveryFieldSet(t, v.Field(i), path+"."+f.Name)
			}
		}
	}
}

// opGolden is fullOp's JSON as it was before the rows had JSON methods of
// their own.
const opGolden = `{
	"Client": 2,
	"Seq": 9,
	"Method": "Apply",
	"Input": {
		"Operator": {
			"ID": "ann",
			"Groups": [
				"support"
			],
			"Cap": 3,
			"Skills": [
				"de:3"
			],
			"Status": "online",
			"StatusSince": "2026-12-03T10:00:00.123456789Z",
			"Load": 1,
			"LastAssigned": "2026-12-03T10:00:00.123456789Z",
			"Deadlines": [
				{
					"Kind": 3,
					"Due": "2026-12-03T10:01:00.123456789Z",
					"Level": 2
				}
			],
			"Version": 7
		},
		"OperatorID": "ann",
		"Status": {
			"Operator": "ann",
			"From": "away",
			"To": "online",
			"Forbid": "AwQ=",
			"At": "2026-12-03T10:00:00.123456789Z",
			"Deadlines": [
				{
					"Kind": 3,
					"Due": "2026-12-03T10:01:00.123456789Z",
					"Level": 2
				}
			]
		},
		"Deadlines": {
			"Operator": "ann",
			"Version": 7,
			"Deadlines": [
				{
					"Kind": 3,
					"Due": "2026-12-03T10:01:00.123456789Z",
					"Level": 2
				}
			]
		},
		"Conversation": {
			"ID": "c1",
			"Group": "support",
			"Channel": "web",
			"CustomerID": "cu1",
			"Priority": 2,
			"Skills": [
				"de:3"
			],
			"Attributes": {
				"site": "x"
			},
			"Tags": [
				"t"
			],
			"Preferred": "ann",
			"OffHours": true,
			"Rules": [
				{
					"Rule": "vip",
					"Changes": [
						"priority 10"
					]
				},
				{
					"Rule": "quiet",
					"Changes": null
				}
			],
			"State": 3,
			"Assignee": "ann",
			"OfferedTo": [
				"bob"
			],
			"LastOperator": "ann",
			"LinkedTo": "c0",
			"CreatedAt": "2026-12-03T10:00:00.123456789Z",
			"EnqueuedAt": "2026-12-03T10:00:00.123456789Z",
			"Seq": 5,
			"AssignedAt": "2026-12-03T10:00:00.123456789Z",
			"ClosedAt": "2026-12-03T10:00:00.123456789Z",
			"CloseReason": "done",
			"AllBusyNotified": true,
			"Deadlines": [
				{
					"Kind": 3,
					"Due": "2026-12-03T10:01:00.123456789Z",
					"Level": 2
				}
			],
			"MissedBy": [
				"bob"
			],
			"Version": 4
		},
		"Require": {
			"AssigneeStatuses": [
				"online"
			],
			"AssigneeCap": 3,
			"OfferStatuses": [
				"online",
				"away"
			]
		},
		"Change": {
			"Conversation": "c1",
			"From": "AQI=",
			"Assignee": "bob",
			"Version": 3,
			"To": 3,
			"NewAssignee": "ann",
			"Offers": [
				"bob"
			],
			"Group": "sales",
			"Requeue": true,
			"CloseReason": "r",
			"MarkAllBusy": true,
			"SetDeadlines": true,
			"Deadlines": [
				{
					"Kind": 3,
					"Due": "2026-12-03T10:01:00.123456789Z",
					"Level": 2
				}
			],
			"DropDeadlines": "AQ==",
			"AddMissed": [
				"bob"
			],
			"Profile": {
				"Priority": 1,
				"Skills": [
					"fr"
				],
				"Tags": [
					"t"
				],
				"Attributes": {
					"a": "b"
				},
				"Preferred": "ann",
				"OffHours": true,
				"Rules": [
					{
						"Rule": "vip",
						"Changes": [
							"priority 10"
						]
					},
					{
						"Rule": "quiet",
						"Changes": null
					}
				]
			},
			"Require": {
				"AssigneeStatuses": [
					"online"
				],
				"AssigneeCap": 3,
				"OfferStatuses": [
					"online",
					"away"
				]
			},
			"At": "2026-12-03T10:00:00.123456789Z"
		}
	},
	"Call": 100,
	"Return": 200,
	"Output": {
		"Err": "ErrConflict",
		"Error": "conflict",
		"Operator": {
			"ID": "ann",
			"Groups": [
				"support"
			],
			"Cap": 3,
			"Skills": [
				"de:3"
			],
			"Status": "online",
			"StatusSince": "2026-12-03T10:00:00.123456789Z",
			"Load": 1,
			"LastAssigned": "2026-12-03T10:00:00.123456789Z",
			"Deadlines": [
				{
					"Kind": 3,
					"Due": "2026-12-03T10:01:00.123456789Z",
					"Level": 2
				}
			],
			"Version": 7
		},
		"Result": {
			"Before": {
				"ID": "c1",
				"Group": "support",
				"Channel": "web",
				"CustomerID": "cu1",
				"Priority": 2,
				"Skills": [
					"de:3"
				],
				"Attributes": {
					"site": "x"
				},
				"Tags": [
					"t"
				],
				"Preferred": "ann",
				"OffHours": true,
				"Rules": [
					{
						"Rule": "vip",
						"Changes": [
							"priority 10"
						]
					},
					{
						"Rule": "quiet",
						"Changes": null
					}
				],
				"State": 3,
				"Assignee": "ann",
				"OfferedTo": [
					"bob"
				],
				"LastOperator": "ann",
				"LinkedTo": "c0",
				"CreatedAt": "2026-12-03T10:00:00.123456789Z",
				"EnqueuedAt": "2026-12-03T10:00:00.123456789Z",
				"Seq": 5,
				"AssignedAt": "2026-12-03T10:00:00.123456789Z",
				"ClosedAt": "2026-12-03T10:00:00.123456789Z",
				"CloseReason": "done",
				"AllBusyNotified": true,
				"Deadlines": [
					{
						"Kind": 3,
						"Due": "2026-12-03T10:01:00.123456789Z",
						"Level": 2
					}
				],
				"MissedBy": [
					"bob"
				],
				"Version": 4
			},
			"Conversation": {
				"ID": "c1",
				"Group": "support",
				"Channel": "web",
				"CustomerID": "cu1",
				"Priority": 2,
				"Skills": [
					"de:3"
				],
				"Attributes": {
					"site": "x"
				},
				"Tags": [
					"t"
				],
				"Preferred": "ann",
				"OffHours": true,
				"Rules": [
					{
						"Rule": "vip",
						"Changes": [
							"priority 10"
						]
					},
					{
						"Rule": "quiet",
						"Changes": null
					}
				],
				"State": 3,
				"Assignee": "ann",
				"OfferedTo": [
					"bob"
				],
				"LastOperator": "ann",
				"LinkedTo": "c0",
				"CreatedAt": "2026-12-03T10:00:00.123456789Z",
				"EnqueuedAt": "2026-12-03T10:00:00.123456789Z",
				"Seq": 5,
				"AssignedAt": "2026-12-03T10:00:00.123456789Z",
				"ClosedAt": "2026-12-03T10:00:00.123456789Z",
				"CloseReason": "done",
				"AllBusyNotified": true,
				"Deadlines": [
					{
						"Kind": 3,
						"Due": "2026-12-03T10:01:00.123456789Z",
						"Level": 2
					}
				],
				"MissedBy": [
					"bob"
				],
				"Version": 4
			},
			"Released": {
				"Operator": "bob",
				"Load": 1,
				"LastAssigned": "2026-12-03T10:00:00.123456789Z",
				"Version": 8
			},
			"Gained": {
				"Operator": "ann",
				"Load": 2,
				"LastAssigned": "2026-12-03T10:00:00.123456789Z",
				"Version": 9
			}
		}
	}
}`
