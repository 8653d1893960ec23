// Command helpdesk is a help desk built on Switchboard: a chat widget for
// visitors, a console for operators and a dashboard for supervisors,
// served over HTTP with live updates (server-sent events).
//
//	go run ./examples/helpdesk                        # http://127.0.0.1:8080, data in helpdesk.db
//	go run ./examples/helpdesk -addr :9000 -db /var/lib/desk.db
//	go run ./examples/helpdesk -db 'postgres://user@host/db'   # several processes may share it
//	go run ./examples/helpdesk -sales-hours 'Europe/Berlin mon-fri 09:00-18:00'
//
// The first run on a database sets the demo up (package demo): Support,
// balanced with a cap of three chats; Sales, broadcast, first take wins;
// rules sending /shop pages to Sales and "Red company" to the front of
// the queue; three operators and a supervisor, whose logins it prints.
// Later runs keep what was changed.
//
// Switchboard routes the conversations and keeps the operators' status;
// the accounts, sessions and messages are the help desk's own, in tables
// of its own in the same database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/demo"
	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/server"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		log.Fatal(err)
	}
}

// options are the command's flags.
type options struct {
	addr, db, presence string
	secure             bool
	// salesHours are Sales's business hours, if set.
	salesHours *presence.Hours
}

// parse reads the flags of args.
func parse(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("helpdesk", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `ADDRESS`")
	fs.StringVar(&o.db, "db", "helpdesk.db", "keep everything in `DB`: a SQLite file (created if needed) or a PostgreSQL URL\n(postgres://... or postgresql://...), which several processes may share")
	fs.StringVar(&o.presence, "presence", "standard", "the operators' statuses: standard (Ready, Can help, Pause, Away, Offline)\nor toggle (green and grey)")
	fs.BoolVar(&o.secure, "secure-cookies", false, "mark the session cookie Secure, behind a proxy that ends TLS")
	fs.Func("sales-hours", "set Sales's business hours to `ZONE WEEKLY`, as in 'Europe/Berlin mon-fri 09:00-18:00'\n"+
		"(a zone alone: always closed); outside them its chats wait with the off-hours notice", func(v string) error {
		zone, weekly, _ := strings.Cut(strings.TrimSpace(v), " ")
		h, err := presence.ParseHours(zone, weekly)
		if err != nil {
			return err
		}
		o.salesHours = &h
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.presence != "standard" && o.presence != "toggle" {
		return o, fmt.Errorf("-presence: want standard or toggle, not %q", o.presence)
	}
	return o, nil
}

// run serves the help desk until ctx ends. ready, if set, is told the
// address it listens on.
func run(ctx context.Context, args []string, out io.Writer, ready func(addr string)) error {
	o, err := parse(args, out)
	if err != nil {
		return err
	}
	model, looks := presence.Standard(), server.StandardLooks
	if o.presence == "toggle" {
		model, looks = presence.Toggle(), server.ToggleLooks
	}
	db, err := openDatabase(ctx, o.db)
	if err != nil {
		return err
	}
	defer db.close()
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	router, err := routing.New(ctx, routing.Config{Store: db.store, Presence: model, Groups: demo.Groups(), Logger: logger})
	if err != nil {
		return fmt.Errorf("starting the router: %w", err)
	}
	defer func() { _ = router.Stop(context.WithoutCancel(ctx)) }()
	logins, err := demo.Seed(ctx, router, db.desk, func(string) string { return newPassword() }, router.Clock().Now())
	if err != nil {
		return fmt.Errorf("setting the demo up: %w", err)
	}
	if o.salesHours != nil {
		if err := demo.SetHours(ctx, router, demo.Sales, *o.salesHours); err != nil {
			return err
		}
	}
	srv, err := server.New(server.Config{Desk: db.desk, Router: router, DefaultGroup: demo.Support, Statuses: looks,
		SecureCookies: o.secure, Logger: logger})
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Event streams push their own write deadline before each event.
		WriteTimeout:   30 * time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		BaseContext:    func(net.Listener) context.Context { return base },
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "Help desk on %s: the chat widget at %s/chat, the console at %s/console, the dashboard at %s/dashboard\n", url, url, url, url)
	if len(logins) > 0 {
		fmt.Fprintln(out, "Demo accounts (shown this once; the passwords are stored hashed):")
		for _, l := range logins {
			fmt.Fprintf(out, "  %-5s %-10s password %s  %s\n", l.ID, l.Role, l.Password, describe(l))
		}
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	go pruneSessions(base, db, router, logger)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	srv.CloseStreams() // they never go idle; the other requests finish
	shutdown, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer done()
	err = hs.Shutdown(shutdown)
	cancel()
	return err
}

// describe says what a demo account does.
func describe(l demo.Login) string {
	if len(l.Groups) == 0 {
		return "(supervisor: /dashboard)"
	}
	return fmt.Sprintf("(operator in %v)", l.Groups)
}

// pruneSessions deletes expired sessions every ten minutes until ctx ends.
func pruneSessions(ctx context.Context, db *database, r *routing.Router, log *slog.Logger) {
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := db.desk.PruneSessions(ctx, r.Clock().Now()); err != nil && ctx.Err() == nil {
				log.Warn("helpdesk: pruning sessions", "err", err)
			}
		}
	}
}
