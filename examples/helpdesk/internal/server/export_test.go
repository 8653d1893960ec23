package server

// WhyRead waits until the dashboard's account of why conversations are
// where they are has read the journal's event seq (one of a kind it
// keeps: queued, offered, assigned, returned, transferred, redistributed,
// waiting, off-hours, closed).
func (s *Server) WhyRead(seq uint64) { s.why.waitFor(seq) }

// NiceCeiling is niceCeiling, the top of a chart's scale.
var NiceCeiling = niceCeiling

// OpenStreams returns how many event streams are open.
func (s *Server) OpenStreams() int {
	s.gate.mu.Lock()
	defer s.gate.mu.Unlock()
	return s.gate.open
}
