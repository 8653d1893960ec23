package store

import "encoding/json"

// UnmarshalJSON decodes {"rule":"vip","changes":["priority 10"]}, the form
// RuleMatch's JSON tags write, replacing m; no changes ([] or null, or
// none given) decode as nil, as a match without changes is written
// without them. Malformed JSON is the json package's error and leaves m
// unchanged, as JSON null does.
func (m *RuleMatch) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	type plain RuleMatch // without this method
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	p.Changes = nilIfEmpty(p.Changes)
	*m = RuleMatch(p)
	return nil
}
