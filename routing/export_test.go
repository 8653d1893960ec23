package routing

// SameConvLock reports whether commands on conversations a and b take the
// same one of r's conversation locks.
func SameConvLock(r *Router, a, b string) bool { return r.convLock(a) == r.convLock(b) }

// MsgFollowed is the message of the Debug record a Router logs after each
// notice of its store's change feed it followed.
const MsgFollowed = msgFollowed
