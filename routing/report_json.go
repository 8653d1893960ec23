package routing

import (
	"encoding/json"
	"fmt"
	"time"
)

// The JSON forms of a Report, for a supervisor's console, in the style of
// the read API's (see read_json.go): snake_case keys, durations in whole
// milliseconds under keys ending in _ms, instants in RFC 3339.

type (
	statJSON struct {
		Count   int   `json:"count"`
		TotalMS int64 `json:"total_ms"`
		MaxMS   int64 `json:"max_ms"`
		MeanMS  int64 `json:"mean_ms"`
	}
	reportJSON struct {
		From     time.Time `json:"from"`
		To       time.Time `json:"to"`
		PeriodMS int64     `json:"period_ms"`
		Total    Period    `json:"total"`
		Periods  []Period  `json:"periods"`
		Partial  bool      `json:"partial"`
		Events   int       `json:"events"`
	}
)

// MarshalJSON encodes the summary as
// {"count":2,"total_ms":90000,"max_ms":60000,"mean_ms":45000}.
func (s Stat) MarshalJSON() ([]byte, error) {
	return json.Marshal(statJSON{s.Count, s.Total.Milliseconds(), s.Max.Milliseconds(), s.Mean().Milliseconds()})
}

// UnmarshalJSON decodes what MarshalJSON encodes (mean_ms, which follows
// from the others, is not read). A negative count or a duration out of
// range is an error wrapping ErrInvalid.
func (s *Stat) UnmarshalJSON(data []byte) error {
	var j statJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	if j.Count < 0 {
		return fmt.Errorf("%w: stat count %d is negative", ErrInvalid, j.Count)
	}
	total, err := fromMS("stat total_ms", j.TotalMS)
	if err != nil {
		return err
	}
	longest, err := fromMS("stat max_ms", j.MaxMS)
	if err != nil {
		return err
	}
	*s = Stat{Count: j.Count, Total: total, Max: longest}
	return nil
}

// MarshalJSON encodes the report as {"from":…,"to":…,"period_ms":3600000,
// "total":{…},"periods":[…],"partial":false,"events":120}, each period as
// Period's JSON.
func (r Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(reportJSON{r.From, r.To, r.Period.Milliseconds(), r.Total, orEmpty(r.Periods), r.Partial, r.Events})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (r *Report) UnmarshalJSON(data []byte) error {
	var j reportJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	period, err := fromMS("report period_ms", j.PeriodMS)
	if err != nil {
		return err
	}
	*r = Report{From: j.From, To: j.To, Period: period, Total: j.Total, Periods: j.Periods, Partial: j.Partial, Events: j.Events}
	return nil
}

// fromMS returns ms milliseconds as a duration, or an error wrapping
// ErrInvalid, naming field, when a duration cannot hold them or they are
// negative.
func fromMS(field string, ms int64) (time.Duration, error) {
	if ms < 0 || ms > maxMS {
		return 0, fmt.Errorf("%w: %s %d is out of range", ErrInvalid, field, ms)
	}
	return time.Duration(ms) * time.Millisecond, nil
}
