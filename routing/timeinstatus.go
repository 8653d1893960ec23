package routing

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// TimeInStatus returns what operatorID's day looked like on date in the
// time zone loc (P9): the time spent in each status, the time on
// shift, when the shift started and ended, and each change ("went to lunch
// at 12:31, came back at 13:05"), from the status history the store keeps
// with every status change. A day still under way is counted up to the
// router's clock. An operator removed keeps their history.
//
// It fails with ErrInvalid for an empty operator id, a nil zone or a date
// that is not a calendar date, and ErrClosed after Stop.
func (r *Router) TimeInStatus(ctx context.Context, operatorID string, date presence.Date, loc *time.Location) (presence.Day, error) {
	done, err := r.beginBy(store.CheckID("operator id", operatorID))
	if err != nil {
		return presence.Day{}, err
	}
	defer done()
	if loc == nil {
		return presence.Day{}, fmt.Errorf("%w: time zone is nil", ErrInvalid)
	}
	if !date.Valid() {
		return presence.Day{}, fmt.Errorf("%w: %s is not a calendar date", ErrInvalid, date)
	}
	start := time.Date(date.Year, date.Month, date.Day, 0, 0, 0, 0, loc)
	end := time.Date(date.Year, date.Month, date.Day+1, 0, 0, 0, 0, loc)
	history, err := r.store.StatusHistory(ctx, operatorID, start, end)
	if err != nil {
		return presence.Day{}, err
	}
	intervals := make([]presence.Interval, 0, len(history))
	for _, h := range history {
		// A status left the instant it was entered (two changes within
		// the store's precision) took no time: the model wants none.
		if !h.To.IsZero() && h.To.Equal(h.From) {
			continue
		}
		intervals = append(intervals, presence.Interval{Status: h.Status, From: h.From, To: h.To})
	}
	return r.model.Day(intervals, date, loc, r.clock.Now())
}
