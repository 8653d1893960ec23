package storetest

import (
	"encoding/json"

	"github.com/switchboard-go/switchboard/store"
)

// An Op's JSON is the whole of the rows and changes it carries, in the
// form encoding/json gave them before store.State, store.Conversation,
// store.Operator and store.RuleMatch had JSON forms of their own: Go field
// names as keys, a state as its number (a list of states, as a []uint8,
// in base64), a rule match as {"Rule":...,"Changes":...}. The rows' own
// forms are for consoles and leave out what a history needs (versions,
// sequence numbers, deadlines); and histories written by one version of a
// test must be read by another. Input and Output encode through the
// mirror types below, each of which embeds its row as a type without
// methods and overrides the fields whose types encode otherwise now (a
// field at a shallower depth hides the embedded one of the same name).
// TestOpJSONFormatIsStable and TestOpJSONRoundTripsEveryField hold the
// format.

type (
	// inputJSON is an Input as it encodes.
	inputJSON struct {
		Operator     *operatorFields          `json:",omitempty"`
		OperatorID   string                   `json:",omitempty"`
		Status       *statusChangeJSON        `json:",omitempty"`
		Deadlines    *store.OperatorDeadlines `json:",omitempty"`
		Conversation *conversationJSON        `json:",omitempty"`
		Require      *store.Require           `json:",omitempty"`
		Change       *changeJSON              `json:",omitempty"`
	}
	// outputJSON is an Output as it encodes.
	outputJSON struct {
		Err      ErrClass        `json:",omitempty"`
		Error    string          `json:",omitempty"`
		Operator *operatorFields `json:",omitempty"`
		Result   *resultJSON     `json:",omitempty"`
	}

	operatorFields     store.Operator
	conversationFields store.Conversation
	changeFields       store.Change
	statusChangeFields store.StatusChange
	profileFields      store.Profile
	resultFields       store.Result

	conversationJSON struct {
		conversationFields
		Rules []ruleMatchJSON
		State uint8
	}
	changeJSON struct {
		changeFields
		From    []uint8
		To      uint8
		Profile *profileJSON
	}
	statusChangeJSON struct {
		statusChangeFields
		Forbid []uint8
	}
	profileJSON struct {
		profileFields
		Rules []ruleMatchJSON
	}
	resultJSON struct {
		resultFields
		Before, Conversation conversationJSON
	}
	// ruleMatchJSON is a store.RuleMatch without its JSON tags.
	ruleMatchJSON struct {
		Rule    string
		Changes []string
	}
)

// MarshalJSON encodes the input in the format of histories (see above).
func (in Input) MarshalJSON() ([]byte, error) {
	return json.Marshal(inputJSON{
		Operator: (*operatorFields)(in.Operator), OperatorID: in.OperatorID,
		Status: mapPtr(in.Status, statusChangeOut), Deadlines: in.Deadlines,
		Conversation: mapPtr(in.Conversation, conversationOut), Require: in.Require,
		Change: mapPtr(in.Change, changeOut),
	})
}

// UnmarshalJSON decodes an input in the format of histories.
func (in *Input) UnmarshalJSON(data []byte) error {
	var j inputJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*in = Input{
		Operator: (*store.Operator)(j.Operator), OperatorID: j.OperatorID,
		Status: mapPtr(j.Status, statusChangeJSON.row), Deadlines: j.Deadlines,
		Conversation: mapPtr(j.Conversation, conversationJSON.row), Require: j.Require,
		Change: mapPtr(j.Change, changeJSON.row),
	}
	return nil
}

// MarshalJSON encodes the output in the format of histories (see above).
func (out Output) MarshalJSON() ([]byte, error) {
	return json.Marshal(outputJSON{
		Err: out.Err, Error: out.Error, Operator: (*operatorFields)(out.Operator), Result: mapPtr(out.Result, resultOut),
	})
}

// UnmarshalJSON decodes an output in the format of histories.
func (out *Output) UnmarshalJSON(data []byte) error {
	var j outputJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*out = Output{Err: j.Err, Error: j.Error, Operator: (*store.Operator)(j.Operator), Result: mapPtr(j.Result, resultJSON.row)}
	return nil
}

func conversationOut(c store.Conversation) conversationJSON {
	return conversationJSON{conversationFields: conversationFields(c), Rules: ruleMatchesOut(c.Rules), State: uint8(c.State)}
}

func (j conversationJSON) row() store.Conversation {
	c := store.Conversation(j.conversationFields)
	c.Rules, c.State = ruleMatchesIn(j.Rules), store.State(j.State)
	return c
}

func changeOut(ch store.Change) changeJSON {
	return changeJSON{changeFields: changeFields(ch), From: statesOut(ch.From), To: uint8(ch.To), Profile: mapPtr(ch.Profile, profileOut)}
}

func (j changeJSON) row() store.Change {
	ch := store.Change(j.changeFields)
	ch.From, ch.To, ch.Profile = statesIn(j.From), store.State(j.To), mapPtr(j.Profile, profileJSON.row)
	return ch
}

func statusChangeOut(s store.StatusChange) statusChangeJSON {
	return statusChangeJSON{statusChangeFields: statusChangeFields(s), Forbid: statesOut(s.Forbid)}
}

func (j statusChangeJSON) row() store.StatusChange {
	s := store.StatusChange(j.statusChangeFields)
	s.Forbid = statesIn(j.Forbid)
	return s
}

func profileOut(p store.Profile) profileJSON {
	return profileJSON{profileFields: profileFields(p), Rules: ruleMatchesOut(p.Rules)}
}

func (j profileJSON) row() store.Profile {
	p := store.Profile(j.profileFields)
	p.Rules = ruleMatchesIn(j.Rules)
	return p
}

func resultOut(r store.Result) resultJSON {
	return resultJSON{resultFields: resultFields(r), Before: conversationOut(r.Before), Conversation: conversationOut(r.Conversation)}
}

func (j resultJSON) row() store.Result {
	r := store.Result(j.resultFields)
	r.Before, r.Conversation = j.Before.row(), j.Conversation.row()
	return r
}

// mapPtr returns a pointer to f of *p, nil for nil.
func mapPtr[T, U any](p *T, f func(T) U) *U {
	if p == nil {
		return nil
	}
	v := f(*p)
	return &v
}

// convertAll returns f of each element of in; nil for nil, empty for
// empty (the two encode differently).
func convertAll[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func ruleMatchesOut(ms []store.RuleMatch) []ruleMatchJSON {
	return convertAll(ms, func(m store.RuleMatch) ruleMatchJSON { return ruleMatchJSON(m) })
}

func ruleMatchesIn(ms []ruleMatchJSON) []store.RuleMatch {
	return convertAll(ms, func(m ruleMatchJSON) store.RuleMatch { return store.RuleMatch(m) })
}

func statesOut(ss []store.State) []uint8 {
	return convertAll(ss, func(s store.State) uint8 { return uint8(s) })
}

func statesIn(ss []uint8) []store.State {
	return convertAll(ss, func(s uint8) store.State { return store.State(s) })
}
