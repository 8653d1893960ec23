package server

import (
	"fmt"
	"html"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/routing"
)

// A chart is drawn by the server as SVG, one bar (or two) an hour: no
// script, no chart library.
const (
	chartWidth, chartHeight = 720, 220
	chartLeft, chartBottom  = 48, 28
	chartTop                = 28
)

// series is one set of bars of a chart: a value per period, its legend
// and its CSS-free colour.
type series struct {
	name   string
	colour string
	values []float64
}

// assignmentsChart: GET /charts/assignments.svg?hours=N draws the first
// assignments and the closes of each hour of the last N (24 unless set),
// from the Router's journal (Router.Report).
func (s *Server) assignmentsChart(w http.ResponseWriter, r *http.Request) {
	s.chart(w, r, "Conversations per hour", "", func(rep routing.Report) []series {
		assigned := series{name: "assigned", colour: "#3b82f6"}
		closed := series{name: "closed", colour: "#9ca3af"}
		for _, p := range rep.Periods {
			var a, c int
			for _, f := range p.Groups {
				a += f.TimeToAssignment.Count
				c += f.Closed
			}
			assigned.values = append(assigned.values, float64(a))
			closed.values = append(closed.values, float64(c))
		}
		return []series{assigned, closed}
	})
}

// waitsChart: GET /charts/waits.svg?hours=N draws the mean and the longest
// wait for a first assignment of each hour of the last N, in seconds.
func (s *Server) waitsChart(w http.ResponseWriter, r *http.Request) {
	s.chart(w, r, "Wait for an operator per hour", "s", func(rep routing.Report) []series {
		mean := series{name: "mean wait", colour: "#10b981"}
		longest := series{name: "longest wait", colour: "#f59e0b"}
		for _, p := range rep.Periods {
			var st routing.Stat
			for _, f := range p.Groups {
				st.Count += f.TimeToAssignment.Count
				st.Total += f.TimeToAssignment.Total
				st.Max = max(st.Max, f.TimeToAssignment.Max)
			}
			mean.values = append(mean.values, st.Mean().Seconds())
			longest.values = append(longest.values, st.Max.Seconds())
		}
		return []series{mean, longest}
	})
}

// chart answers the SVG of the series measure takes from the report of
// the request's window.
func (s *Server) chart(w http.ResponseWriter, r *http.Request, title, unit string, measure func(routing.Report) []series) {
	win, ok := s.window(r)
	if !ok {
		refuse(w, http.StatusBadRequest, "invalid", "hours must be a whole number from 1 to 168")
		return
	}
	rep, err := s.cfg.Router.Report(r.Context(), win)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	svg := drawBars(title, unit, rep, measure(rep), s.cfg.Location)
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(svg))
}

// drawBars draws the series as bars side by side in each period of rep,
// with a scale, the hours under them and a legend.
func drawBars(title, unit string, rep routing.Report, ss []series, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`,
		chartWidth, chartHeight, chartWidth, chartHeight)
	fmt.Fprintf(&b, `<title>%s</title><rect width="100%%" height="100%%" fill="#fff"/>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>`, chartLeft, html.EscapeString(title))
	top := 0.0
	for _, s := range ss {
		for _, v := range s.values {
			top = max(top, v)
		}
	}
	top = niceCeiling(top)
	plotW, plotH := float64(chartWidth-chartLeft-8), float64(chartHeight-chartTop-chartBottom)
	base := float64(chartHeight - chartBottom)
	for i := 0; i <= 4; i++ {
		y := base - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e5e7eb"/>`, chartLeft, chartWidth-8, y, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s%s</text>`, chartLeft-4, y+4, trimNumber(top*float64(i)/4), unit)
	}
	n := len(rep.Periods)
	if n > 0 {
		slot := plotW / float64(n)
		barW := slot * 0.8 / float64(max(len(ss), 1))
		for i, p := range rep.Periods {
			x0 := float64(chartLeft) + slot*float64(i) + slot*0.1
			for j, s := range ss {
				if i >= len(s.values) || s.values[i] <= 0 {
					continue
				}
				h := plotH * s.values[i] / top
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s%s</title></rect>`,
					x0+barW*float64(j), base-h, barW, h, s.colour, p.Start.In(loc).Format("15:04"), s.name, trimNumber(s.values[i]), unit)
			}
			if step := max(n/8, 1); i%step == 0 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x0+slot*0.4, base+14, p.Start.In(loc).Format("15:04"))
			}
		}
	}
	for j, s := range ss {
		x := chartWidth - 8 - 120*(len(ss)-j)
		fmt.Fprintf(&b, `<rect x="%d" y="6" width="10" height="10" fill="%s"/><text x="%d" y="15">%s</text>`, x, s.colour, x+14, html.EscapeString(s.name))
	}
	if rep.Partial {
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#b91c1c">the journal no longer holds all of this window</text>`, chartLeft, chartHeight-4)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// niceCeiling returns the top of a scale of four steps for values up to
// v: the least of 4, 8, 12 and 20 times a power of ten (at least 4) that is
// v or more, so that every step is a round number (1, 2, 3, 5 times a
// power of ten).
func niceCeiling(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v > 1e300 {
		return 4 // no finite scale: none drawn sensibly
	}
	for scale := 1.0; ; scale *= 10 {
		for _, m := range []float64{4, 8, 12, 20} {
			if m*scale >= v {
				return m * scale
			}
		}
	}
}

// trimNumber writes v with at most one decimal.
func trimNumber(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	return strings.TrimSuffix(s, ".0")
}
