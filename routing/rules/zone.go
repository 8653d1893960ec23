package rules

import (
	"time"
	// The zones are built in, so that a rule set naming "Europe/Berlin"
	// decodes on a machine without a zoneinfo database too.
	_ "time/tzdata"
)

// zone loads the named zone, once per Set.
func (b *builder) zone(name string) (*time.Location, error) {
	if loc, ok := b.zones[name]; ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	b.zones[name] = loc
	return loc, nil
}
