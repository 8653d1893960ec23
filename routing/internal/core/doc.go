// Package core holds the parts of the Router that decide without doing:
// no goroutine, no lock, no channel, no clock (time is an argument), no
// store call. The Router around it takes its locks, reads its clock,
// talks to its store and emits its events; the core keeps the state those
// decisions rest on. It holds the index of pending deadlines and the
// tombstones of recently closed conversations; the rest of the Router's
// view moves here in turn.
package core
