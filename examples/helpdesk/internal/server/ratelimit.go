package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Rate is N events per period Per.
type Rate struct {
	N   int
	Per time.Duration
}

// limiter allows each key (a client's IP address) N events per Per: a
// token bucket of N tokens per key, refilled at that rate. Buckets that
// are full again are forgotten once many keys are kept.
type limiter struct {
	rate Rate
	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxKeys is how many buckets a limiter keeps before it forgets the full
// ones.
const maxKeys = 10000

func newLimiter(r Rate) *limiter { return &limiter{rate: r, keys: make(map[string]*bucket)} }

// allow takes a token of key at now, or reports how long until one is
// there.
func (l *limiter) allow(key string, now time.Time) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	perToken := l.rate.Per / time.Duration(l.rate.N)
	b := l.keys[key]
	if b == nil {
		if len(l.keys) >= maxKeys {
			l.forget(now)
		}
		b = &bucket{tokens: float64(l.rate.N), at: now}
		l.keys[key] = b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = math.Min(float64(l.rate.N), b.tokens+float64(elapsed)/float64(perToken))
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(perToken))
}

// forget makes room for a key: it drops the buckets that have refilled by
// now, and when none has, a tenth of them, whichever the map yields first
// (their clients start again with a full bucket, which the flood of
// addresses that filled the map gets anyway). The map never holds more
// than maxKeys, and a scan makes room for many keys.
func (l *limiter) forget(now time.Time) {
	for k, b := range l.keys {
		if now.Sub(b.at) >= l.rate.Per {
			delete(l.keys, k)
		}
	}
	for k := range l.keys {
		if len(l.keys) < maxKeys-maxKeys/10 {
			break
		}
		delete(l.keys, k)
	}
}

// clientIP returns the address r came from. Behind a proxy that is the
// proxy's: the limit then applies to all its clients together, which the
// example accepts rather than trust a forwarded header anyone can send.
//
// An IPv6 client is keyed by its /64, which a single host usually has
// whole: counting its addresses one by one would let it round any limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

// allow takes one of the client's tokens of l, or refuses with 429, a
// Retry-After and message.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, l *limiter, message string) bool {
	ok, retry := l.allow(clientIP(r), s.cfg.Clock.Now())
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		refuse(w, http.StatusTooManyRequests, "rate-limited", message)
	}
	return ok
}
