package server

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLimiterKeepsBoundedMemory: a flood of addresses never makes the
// limiter keep more than maxKeys buckets, and a busy one still counts.
func TestLimiterKeepsBoundedMemory(t *testing.T) {
	l := newLimiter(Rate{N: 2, Per: time.Minute})
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	for i := range 3 * maxKeys {
		ok, _ := l.allow("10.0."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250), now)
		require.True(t, ok)
		require.LessOrEqual(t, len(l.keys), maxKeys)
	}
	ok, _ := l.allow("192.0.2.1", now)
	require.True(t, ok)
	ok, _ = l.allow("192.0.2.1", now)
	require.True(t, ok)
	ok, retry := l.allow("192.0.2.1", now)
	require.False(t, ok)
	require.Equal(t, 30*time.Second, retry)
}

// TestClientIPKeysIPv6ByItsSlash64: the addresses of one IPv6 /64 are one
// client; IPv4 addresses are themselves.
func TestClientIPKeysIPv6ByItsSlash64(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	key := func(addr string) string {
		r.RemoteAddr = addr
		return clientIP(r)
	}
	require.Equal(t, key("[2001:db8:1:2::1]:5000"), key("[2001:db8:1:2:ffff::9]:6000"))
	require.NotEqual(t, key("[2001:db8:1:2::1]:5000"), key("[2001:db8:1:3::1]:5000"))
	require.Equal(t, "192.0.2.7", key("192.0.2.7:1234"))
}
