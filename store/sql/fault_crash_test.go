package sqlstore_test

import (
	"math/rand/v2"
	"testing"
	"time"
)

// faultCrashSettings widen the window in which a transaction committed
// asynchronously (synchronous_commit off, as the Store's notifying
// transactions are) is visible, and its notification sent, but its commit
// record not yet on disk: the WAL writer flushes only every 10 s (the
// most it allows), and every synchronous commit (the Store's flush after
// its asynchronous one) waits 100 ms (the most) before it flushes, with
// no other transaction needed to be running. A crash then loses what
// other sessions already saw.
var faultCrashSettings = map[string]string{
	"commit_delay":     "100000",
	"commit_siblings":  "0",
	"wal_writer_delay": "10000ms",
	"fsync":            "on",
}

const (
	// faultCrashes is how many times TestFaultDatabaseCrash crashes the
	// server (faultCrashesShort under -short).
	faultCrashes      = 10
	faultCrashesShort = 3
	// faultCrashRouters is how many Routers share the server, and
	// faultCrashClients how many goroutines send each one commands.
	faultCrashRouters = 2
	faultCrashClients = 3
)

// TestFaultDatabaseCrash: two Routers in this process, each on a Store of
// its own, share a PostgreSQL server that the test owns. Under a load of
// random commands (enqueue, take, accept, release, transfer, close,
// status changes, log-ins and ends of shift) the server crashes (an
// immediate stop: nothing flushed) after a random number of acknowledged
// commands, while others are in flight, and restarts; the load stops at
// the crash. Once the Routers' feeds listen again, checkAfterFault checks
// that every command acknowledged so far is in the database, that no
// conversation stays stranded in a queue while an operator has room
// (longer than faultBound), and that each Router's view comes to equal
// the database: a change another Router's Store committed asynchronously
// and notified, but that the crash lost before it reached the disk, must
// not stay in a view. Then the load starts again, for the next crash.
func TestFaultDatabaseCrash(t *testing.T) {
	crashes := faultCrashes
	if testing.Short() {
		crashes = faultCrashesShort
	}
	began := time.Now()
	pg := newPgCluster(t, faultCrashSettings)
	pg.Start()
	dsns := make([]string, faultCrashRouters)
	for i := range dsns {
		dsns[i] = pg.DSN()
	}
	fc := startFaultCluster(t, pg.DSN(), dsns)
	t.Logf("set up in %v", time.Since(began).Round(time.Millisecond))

	var acked []clusterCmd
	for round := range crashes {
		start := time.Now()
		load := startFaultLoad(t, fc, faultCrashClients)
		before := 5 + rand.IntN(40)
		load.waitAcks(t, before)
		pg.Crash()
		crashed := time.Now()
		got, failed := load.stop(t)
		acked = append(acked, got...)
		pg.Restart()
		restarted := time.Now()
		checkAfterFault(t, fc, acked)
		t.Logf("crash %d: after %d acknowledged commands; %d acknowledged this round, %d not (refused, nothing to act on, or cut off); load %v, down %v, checks %v",
			round+1, before, len(got), failed, crashed.Sub(start).Round(time.Millisecond),
			restarted.Sub(crashed).Round(time.Millisecond), time.Since(restarted).Round(time.Millisecond))
	}
	t.Logf("%d crashes, %d commands acknowledged in all, in %v", crashes, len(acked), time.Since(began).Round(time.Millisecond))
	fc.History.requireLinearizable(t)
}
