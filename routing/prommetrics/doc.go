// Package prommetrics exports a Router's metrics to Prometheus (S6): a
// Collector is both the Router's Observer (Config.Observer), told of its
// events and store writes, and a prometheus.Collector, which reads the
// Router's Snapshot for its gauges at each scrape. Package routing does
// not depend on client_golang: only a host that imports this package
// links it.
//
// Wire it as follows (Example shows it whole):
//
//	metrics := prommetrics.New(prommetrics.Options{})
//	r, err := routing.New(ctx, routing.Config{Observer: metrics, ...})
//	metrics.Watch(r)
//	registry.MustRegister(metrics)
//
// The metrics, each name prefixed with Options.Namespace ("switchboard"
// by default) and an underscore:
//
//   - queue_length{group}: gauge, the conversations in the group's queue
//     (queued and offered), at the scrape.
//   - queue_oldest_wait_seconds{group}: gauge, how long the conversation
//     that has waited longest in the group's queue has waited; 0 for an
//     empty queue.
//   - operators{group,status}: gauge, the operators serving the group in
//     each status of the Router's presence model (Router.Presence), zero
//     included; an operator serving several groups counts in each.
//   - subscriptions: gauge, the Router's live event subscriptions
//     (Router.SubscriptionStats), at the scrape.
//   - subscriptions_lagged_total: counter of the subscriptions ended
//     because they fell behind (a routing.Lagged marker).
//   - conversations_queued_total{group}: counter of Queued events.
//   - conversations_offered_total{group}: counter of Offered events (a
//     conversation offered again to more operators counts again).
//   - conversations_assigned_total{group}: counter of Assigned events,
//     whatever assigned the conversation: a policy, a take, an admin, a
//     customer's return to their operator, an outbound start.
//   - conversations_missed_total{group}: counter of Missed events (an
//     assignment or offer not accepted in the group's AcceptTimeout).
//   - conversations_closed_total{group}: counter of Closed events. Not
//     labelled by the close reason, which is the host's free text.
//   - conversations_redistributed_total{group}: counter of Redistributed
//     events (conversations taken from an operator ending their shift).
//   - time_to_assignment_seconds{group}: histogram of the Wait of the
//     first assignments (routing.Event.Wait: since the conversation
//     entered its queue): Assigned events with no From (a conversation
//     given again after a release, a miss or a redistribution keeps its
//     first arrival, so its Wait would count its time with the operator
//     before), and not of policy "returned" (a customer's reply brought it
//     back to the operator it waited with) or "outbound" (an operator
//     started it). Buckets: Options.TimeToAssignmentBuckets.
//   - store_write_seconds{call}: histogram of the duration of the
//     Router's store writes, on the Router's clock, by store method
//     (routing.WriteCalls: "apply", "create-conversation", ...).
//     Buckets: Options.StoreWriteBuckets.
//   - store_write_errors_total{call}: counter of the store writes that
//     failed, refusals of a change decided on a stale view
//     (store.ErrConflict and the like, which the Router retries)
//     included.
//
// The counters and histograms of every group the Router has when Watch is
// called, and of every store call, are exported from the start, at zero;
// a group added later appears with its first event. The gauges are
// exported once Watch has been called.
package prommetrics
