package server

import (
	"github.com/switchboard-go/switchboard/presence"
)

// StatusLook is how the console shows one status of the presence model.
type StatusLook struct {
	// Name is the status's name in the presence model.
	Name string
	// Label is what the status switcher says ("Can help").
	Label string
	// Colour is a colour name the pages know: green, lime, orange, grey,
	// black.
	Colour string
}

// StandardLooks are the looks of presence.Standard's statuses, and
// ToggleLooks those of presence.Toggle's.
var (
	StandardLooks = []StatusLook{
		{presence.StatusReady, "Ready", "green"},
		{presence.StatusCanHelp, "Can help", "lime"},
		{presence.StatusPause, "Pause", "orange"},
		{presence.StatusAway, "Away", "grey"},
		{presence.StatusOffline, "Offline", "black"},
	}
	ToggleLooks = []StatusLook{
		{presence.StatusGreen, "Green: taking chats", "green"},
		{presence.StatusGrey, "Grey: not taking new chats", "grey"},
		{presence.StatusOffline, "Offline", "black"},
	}
)

// statusView is one status as the console's switcher lists it.
type statusView struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	Colour  string `json:"colour"`
	OnShift bool   `json:"on_shift"`
}

// statuses lists the presence model's statuses, in its order, with their
// looks.
func (s *Server) statuses() []statusView {
	var out []statusView
	for _, st := range s.cfg.Router.Presence().Statuses() {
		v := statusView{Name: st.Name, Label: st.Name, Colour: "grey", OnShift: st.OnShift()}
		for _, l := range s.cfg.Statuses {
			if l.Name == st.Name {
				v.Label, v.Colour = l.Label, l.Colour
			}
		}
		out = append(out, v)
	}
	return out
}
