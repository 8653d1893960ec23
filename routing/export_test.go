package routing

// MsgFollowed is the message of the Debug record a Router logs after each
// notice of its store's change feed it followed.
const MsgFollowed = msgFollowed

// PruneJournal runs the pruning the Router does every minute, now.
func (r *Router) PruneJournal() error { return r.prune() }
