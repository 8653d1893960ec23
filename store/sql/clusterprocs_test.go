package sqlstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-go/switchboard/routing"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// latencyChildEnv names the variable that makes the test binary a child
// of BenchmarkClusterLatencyProcesses; it holds the child's latencySpec as
// JSON.
const latencyChildEnv = "SWITCHBOARD_LATENCY_CHILD"

// latencySpec tells a child which Router it is and which arrivals are its
// own: those k < Total with k % Routers == Index, arriving k/Rate seconds
// after the parent says go.
type latencySpec struct {
	DSN, Schema           string
	Index, Routers, Total int
	Rate                  int
}

// latencyReport is a child's last line: the latency of each of its
// arrivals, enqueue to Assigned event, and the time from go to the last
// event.
type latencyReport struct {
	Latencies []time.Duration `json:"latencies"`
	Elapsed   time.Duration   `json:"elapsed"`
	Err       string          `json:"err,omitempty"`
}

// BenchmarkClusterLatencyProcesses measures what BenchmarkClusterLatency
// does, with each Router in a process of its own, as app servers run
// them: every process has its own heap and garbage collector and
// generates its share of the arrivals (1,000 per second in all). Run it
// with -benchtime Nx: N arrivals, N/1000 seconds.
func BenchmarkClusterLatencyProcesses(b *testing.B) {
	const rate = 1000
	bin, err := os.Executable()
	benchNoError(b, err)
	for _, n := range []int{1, 2, 4} {
		b.Run("routers="+strconv.Itoa(n), func(b *testing.B) {
			dsn, schema := benchClusterSchema(b)
			children := make([]*latencyProc, n)
			for i := range children {
				children[i], err = startLatencyChild(bin, latencySpec{DSN: dsn, Schema: schema, Index: i, Routers: n, Total: b.N, Rate: rate})
				benchNoError(b, err)
				b.Cleanup(children[i].kill)
			}
			for _, c := range children {
				benchNoError(b, c.ready())
			}
			b.ResetTimer()
			for _, c := range children {
				benchNoError(b, c.start())
			}
			var (
				all     []time.Duration
				elapsed time.Duration
			)
			for _, c := range children {
				rep, err := c.report()
				benchNoError(b, err)
				all, elapsed = append(all, rep.Latencies...), max(elapsed, rep.Elapsed)
			}
			b.StopTimer()
			if len(all) != b.N {
				b.Fatalf("%d of %d latencies reported", len(all), b.N)
			}
			reportLatency(b, all, elapsed)
		})
	}
}

// latencyProc is a running child.
type latencyProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines *bufio.Scanner
}

// startLatencyChild starts the test binary as a child running sp.
func startLatencyChild(bin string, sp latencySpec) (*latencyProc, error) {
	raw, err := json.Marshal(sp)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), latencyChildEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 64<<20) // the report is one long line
	return &latencyProc{cmd: cmd, stdin: stdin, lines: lines}, nil
}

// line returns the child's next line of output.
func (p *latencyProc) line() (string, error) {
	if !p.lines.Scan() {
		return "", errors.Join(errors.New("latency child: no more output"), p.lines.Err(), p.cmd.Wait())
	}
	return p.lines.Text(), nil
}

// ready waits until the child's Router is open.
func (p *latencyProc) ready() error {
	l, err := p.line()
	if err == nil && l != "ready" {
		err = fmt.Errorf("latency child: %q instead of ready", l)
	}
	return err
}

// start tells the child to go.
func (p *latencyProc) start() error {
	_, err := io.WriteString(p.stdin, "go\n")
	return err
}

// report waits for the child's report.
func (p *latencyProc) report() (latencyReport, error) {
	var rep latencyReport
	l, err := p.line()
	if err == nil {
		err = json.Unmarshal([]byte(l), &rep)
	}
	if err == nil && rep.Err != "" {
		err = errors.New("latency child: " + rep.Err)
	}
	if err == nil {
		err = p.cmd.Wait()
	}
	return rep, err
}

// kill ends the child if it is still running.
func (p *latencyProc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

// latencyChild is a child's main: it opens its Router, says ready, waits
// for go, enqueues its arrivals on schedule and prints its report.
func latencyChild(raw string) int {
	var sp latencySpec
	if err := json.Unmarshal([]byte(raw), &sp); err != nil {
		fmt.Fprintln(os.Stderr, "latency child:", err)
		return 2
	}
	rep, err := runLatencyChild(sp)
	if err != nil {
		rep.Err = err.Error()
	}
	out, _ := json.Marshal(rep)
	fmt.Println(string(out))
	return 0
}

func runLatencyChild(sp latencySpec) (latencyReport, error) {
	ctx := context.Background()
	st, err := sqlstore.OpenPostgres(ctx, sp.DSN, sqlstore.WithSchema(sp.Schema))
	if err != nil {
		return latencyReport{}, err
	}
	defer st.Close()
	r, err := openBenchRouter(st)
	if err != nil {
		return latencyReport{}, err
	}
	defer r.Stop(context.Background())
	sub := r.Subscribe(routing.Assigned)
	var mine []int
	for k := sp.Index; k < sp.Total; k += sp.Routers {
		mine = append(mine, k)
	}
	fmt.Println("ready")
	if l, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil || strings.TrimSpace(l) != "go" {
		return latencyReport{}, fmt.Errorf("waiting for go: %q, %v", l, err)
	}
	lat, elapsed, err := runArrivals([]*routing.Subscription{sub}, mine, sp.Rate,
		func(_ int, id string) error { return enqueueAssigned(r, id) })
	return latencyReport{Latencies: lat, Elapsed: elapsed}, err
}
