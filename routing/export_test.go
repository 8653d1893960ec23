package routing

// SetNoticed makes r report on ch the outcome of each notice of the
// store's feed it has followed (nil, or the error that made it keep the
// notice for later).
func SetNoticed(r *Router, ch chan error) {
	r.mu.Lock()
	r.noticed = ch
	r.mu.Unlock()
}

// SameConvLock reports whether commands on conversations a and b take the
// same one of r's conversation locks.
func SameConvLock(r *Router, a, b string) bool { return r.convLock(a) == r.convLock(b) }
