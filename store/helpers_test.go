package store_test

import "time"

var (
	testTime = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	zeroTime time.Time
)
