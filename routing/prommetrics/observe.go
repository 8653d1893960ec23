package prommetrics

import "github.com/switchboard-go/switchboard/routing"

// Event counts e in its group's counter, and observes the Wait of a first
// assignment (routing.Observer). It allocates nothing once the group was seen.
func (c *Collector) Event(e routing.Event) {
	switch e.Kind {
	case routing.Queued:
		c.groups.get(e.Group).queued.Inc()
	case routing.Offered:
		c.groups.get(e.Group).offered.Inc()
	case routing.Assigned:
		g := c.groups.get(e.Group)
		g.assigned.Inc()
		if e.From == "" && e.Policy != "returned" && e.Policy != "outbound" {
			g.timeToAssignment.Observe(e.Wait.Seconds())
		}
	case routing.Missed:
		c.groups.get(e.Group).missed.Inc()
	case routing.Closed:
		c.groups.get(e.Group).closed.Inc()
	case routing.Redistributed:
		c.groups.get(e.Group).redistributed.Inc()
	}
}

// StoreWrite observes the duration of w and counts its error, if any
// (routing.Observer). It allocates nothing.
func (c *Collector) StoreWrite(w routing.StoreWrite) {
	m := c.calls.get(w.Call)
	m.seconds.Observe(w.Took.Seconds())
	if w.Err != nil {
		m.errors.Inc()
	}
}
