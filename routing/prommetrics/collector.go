package prommetrics

import (
	"slices"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-go/switchboard/routing"
)

// DefaultNamespace prefixes the metrics' names when Options.Namespace is
// empty.
const DefaultNamespace = "switchboard"

// DefaultTimeToAssignmentBuckets are the buckets of
// time_to_assignment_seconds when Options.TimeToAssignmentBuckets is
// empty, in seconds: from a second to an hour.
var DefaultTimeToAssignmentBuckets = []float64{1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600}

// DefaultStoreWriteBuckets are the buckets of store_write_seconds when
// Options.StoreWriteBuckets is empty, in seconds: from half a millisecond
// to 2.5 s.
var DefaultStoreWriteBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// Options configures a Collector. The zero value is usable.
type Options struct {
	// Namespace prefixes every metric's name, with an underscore.
	// Defaults to DefaultNamespace. A namespace that is not a valid
	// metric name prefix makes the Collector's registration fail.
	Namespace string
	// TimeToAssignmentBuckets are the upper bounds, in seconds, of the
	// buckets of time_to_assignment_seconds. Defaults to
	// DefaultTimeToAssignmentBuckets.
	TimeToAssignmentBuckets []float64
	// StoreWriteBuckets are the upper bounds, in seconds, of the buckets
	// of store_write_seconds. Defaults to DefaultStoreWriteBuckets.
	StoreWriteBuckets []float64
}

// Collector holds a Router's metrics (see the package documentation). It
// implements routing.Observer: pass it as routing.Config.Observer; and
// prometheus.Collector: register it. Create it with New. It is safe for
// concurrent use.
type Collector struct {
	router atomic.Pointer[routing.Router]

	queueLength, oldestWait, operators *prometheus.Desc
	subscriptions, lagged              *prometheus.Desc

	queued, offered, assigned, missed, closed, redistributed *prometheus.CounterVec
	timeToAssignment                                         *prometheus.HistogramVec
	writeSeconds                                             *prometheus.HistogramVec
	writeErrors                                              *prometheus.CounterVec

	// groups holds each group's children of the vectors above, calls each
	// store call's: the Observer methods look them up without allocating.
	groups children[*groupMetrics]
	calls  children[*callMetrics]
}

// groupMetrics are one group's counters and histogram.
type groupMetrics struct {
	queued, offered, assigned, missed, closed, redistributed prometheus.Counter
	timeToAssignment                                         prometheus.Observer
}

// callMetrics are one store call's histogram and counter.
type callMetrics struct {
	seconds prometheus.Observer
	errors  prometheus.Counter
}

// New returns a Collector configured by opts. Pass it as the Router's
// Config.Observer, call Watch with the Router, and register it.
func New(opts Options) *Collector {
	ns := opts.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	waitBuckets := slices.Clone(opts.TimeToAssignmentBuckets)
	if len(waitBuckets) == 0 {
		waitBuckets = slices.Clone(DefaultTimeToAssignmentBuckets)
	}
	writeBuckets := slices.Clone(opts.StoreWriteBuckets)
	if len(writeBuckets) == 0 {
		writeBuckets = slices.Clone(DefaultStoreWriteBuckets)
	}
	group := []string{"group"}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help}, group)
	}
	c := &Collector{
		queueLength: prometheus.NewDesc(prometheus.BuildFQName(ns, "", "queue_length"),
			"Conversations in the group's queue (queued and offered).", group, nil),
		oldestWait: prometheus.NewDesc(prometheus.BuildFQName(ns, "", "queue_oldest_wait_seconds"),
			"How long the conversation that has waited longest in the group's queue has waited; 0 for an empty queue.", group, nil),
		operators: prometheus.NewDesc(prometheus.BuildFQName(ns, "", "operators"),
			"Operators serving the group, by status.", []string{"group", "status"}, nil),
		subscriptions: prometheus.NewDesc(prometheus.BuildFQName(ns, "", "subscriptions"),
			"Live event subscriptions of the Router.", nil, nil),
		lagged: prometheus.NewDesc(prometheus.BuildFQName(ns, "", "subscriptions_lagged_total"),
			"Subscriptions ended because they fell behind (a Lagged marker), since the Router started.", nil, nil),
		queued:        counter("conversations_queued_total", "Conversations that joined or were kept in the group's queue (Queued events)."),
		offered:       counter("conversations_offered_total", "Offers of the group's conversations (Offered events)."),
		assigned:      counter("conversations_assigned_total", "Conversations of the group assigned to an operator (Assigned events)."),
		missed:        counter("conversations_missed_total", "Assignments and offers of the group's conversations not accepted in time (Missed events)."),
		closed:        counter("conversations_closed_total", "Conversations of the group closed (Closed events)."),
		redistributed: counter("conversations_redistributed_total", "Conversations of the group taken from an operator ending their shift (Redistributed events)."),
		timeToAssignment: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Name: "time_to_assignment_seconds",
			Help:    "How long the group's conversations waited in its queue before an operator got them.",
			Buckets: waitBuckets,
		}, group),
		writeSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Name: "store_write_seconds",
			Help:    "Duration of the Router's store writes, by store call.",
			Buckets: writeBuckets,
		}, []string{"call"}),
		writeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "store_write_errors_total",
			Help: "Store writes that failed or were refused, by store call.",
		}, []string{"call"}),
	}
	c.groups.add = c.newGroup
	c.calls.add = c.newCall
	for _, call := range routing.WriteCalls() {
		c.calls.get(call)
	}
	return c
}

func (c *Collector) newGroup(id string) *groupMetrics {
	return &groupMetrics{
		queued: c.queued.WithLabelValues(id), offered: c.offered.WithLabelValues(id),
		assigned: c.assigned.WithLabelValues(id), missed: c.missed.WithLabelValues(id),
		closed: c.closed.WithLabelValues(id), redistributed: c.redistributed.WithLabelValues(id),
		timeToAssignment: c.timeToAssignment.WithLabelValues(id),
	}
}

func (c *Collector) newCall(call string) *callMetrics {
	return &callMetrics{seconds: c.writeSeconds.WithLabelValues(call), errors: c.writeErrors.WithLabelValues(call)}
}

// Watch names the Router whose Snapshot the gauges read at each scrape;
// call it once, after routing.New (a later call replaces the Router
// watched). The counters and histograms of the Router's groups are
// exported from then on, at zero until their first event.
func (c *Collector) Watch(r *routing.Router) {
	for _, g := range r.Groups() {
		c.groups.get(g)
	}
	c.router.Store(r)
}

// vectors lists the metrics the Collector keeps, as opposed to the gauges
// it reads at each scrape.
func (c *Collector) vectors() []prometheus.Collector {
	return []prometheus.Collector{
		c.queued, c.offered, c.assigned, c.missed, c.closed, c.redistributed,
		c.timeToAssignment, c.writeSeconds, c.writeErrors,
	}
}

// Describe sends the descriptions of every metric (prometheus.Collector).
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.queueLength
	ch <- c.oldestWait
	ch <- c.operators
	ch <- c.subscriptions
	ch <- c.lagged
	for _, v := range c.vectors() {
		v.Describe(ch)
	}
}

// Collect sends every metric (prometheus.Collector): the counters and
// histograms, and the gauges read from the watched Router's Snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, v := range c.vectors() {
		v.Collect(ch)
	}
	if r := c.router.Load(); r != nil {
		c.collectGauges(ch, r)
	}
}

// collectGauges sends the gauges of r's snapshot and its subscription
// counts.
func (c *Collector) collectGauges(ch chan<- prometheus.Metric, r *routing.Router) {
	subs := r.SubscriptionStats()
	ch <- prometheus.MustNewConstMetric(c.subscriptions, prometheus.GaugeValue, float64(subs.Active))
	ch <- prometheus.MustNewConstMetric(c.lagged, prometheus.CounterValue, float64(subs.Lagged))
	s := r.Snapshot()
	type groupStatus struct{ group, status string }
	counts := make(map[groupStatus]int)
	for _, o := range s.Operators {
		for _, g := range o.Groups {
			counts[groupStatus{g, o.Status}]++
		}
	}
	statuses := r.Presence().Statuses()
	for _, g := range s.Groups {
		ch <- prometheus.MustNewConstMetric(c.queueLength, prometheus.GaugeValue, float64(g.Queued), g.ID)
		ch <- prometheus.MustNewConstMetric(c.oldestWait, prometheus.GaugeValue, g.OldestWait.Seconds(), g.ID)
		for _, st := range statuses {
			n := counts[groupStatus{g.ID, st.Name}]
			ch <- prometheus.MustNewConstMetric(c.operators, prometheus.GaugeValue, float64(n), g.ID, st.Name)
		}
	}
}
