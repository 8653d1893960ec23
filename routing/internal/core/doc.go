// Package core is the part of the Router that decides: a single-threaded
// state machine, View, that holds the Router's view of its store's rows
// (groups, operators, open conversations, each group's candidate trees
// and queue, the reservations of assignments being stored, the due index
// of deadlines and the tombstones of recent closes) and decides on it.
//
// It does no I/O and keeps no time: no goroutine, lock, channel, clock or
// store call (TestCoreIsPure checks). The Router around it holds its lock
// around every call, passes the time in, and takes every change in one
// step: the core plans the store write (Plan), the Router makes it, and
// the core absorbs the answer (Absorb) and reports what happened
// (Report: the events, and the offers the change made stale). What the
// Router does next (route a queue, withdraw offers, redistribute) it asks
// the core again, one step at a time (NextRoute, WithdrawalsOf,
// NextRedistribution).
package core
