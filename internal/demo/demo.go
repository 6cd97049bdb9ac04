// Package demo shows misend at work on a synthetic organisation: it writes a
// year of the organisation's mail to a directory, learns it the way
// `misend import` does, checks a handful of realistic mistakes and honest
// messages and explains each verdict, then runs the gateway on loopback with
// a capturing upstream so anyone can send mail through it.
//
// It is a showcase for people, not a test harness and not a benchmark: it
// prints prose, keeps everything on loopback and, unless told where, in a
// temporary directory that is removed at the end.
package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/misend/misend/internal/server"
)

// Options configure a demo run.
type Options struct {
	Seed   uint64
	People int
	Days   int
	// Dir holds the history, the database and the spool; empty means a
	// temporary directory removed when Run returns.
	Dir string
	// DB is the database the demo learns into and serves from (a SQLite
	// path or postgres:// URL), kept for misend check afterwards; empty
	// means misend.db in Dir.
	DB string
	// Serve keeps the gateway running on SMTPAddr/HTTPAddr until ctx ends;
	// false stops after the walk-through.
	Serve    bool
	SMTPAddr string
	HTTPAddr string
	// For stops serving after this long; zero serves until ctx ends.
	For time.Duration
	Out io.Writer // the narrative
	Log *slog.Logger
	// Start assembles and starts the gateway the way `misend serve` does
	// (web UI, notices, decisions log, learning); nil starts the bare
	// gateway with the capture upstream, without web UI or notices.
	Start func(ctx context.Context, env ServeEnv) (s *server.Server, stop func(), err error)
	// TopicKey returns the key subjects are hashed with on the database
	// db (model.Config.TopicKey), the one Start's gateway reads too;
	// nil hashes them unkeyed, as the bare gateway does.
	TopicKey func(db string) ([]byte, error)
}

// ServeEnv is what Start needs to know of the demo's organisation.
type ServeEnv struct {
	DB        string // SQLite path, history learned, directory and terms in it
	OrgDomain string
	SpoolDir  string
	SMTPAddr  string
	HTTPAddr  string
	Upstream  string // the capture upstream's address, plain SMTP
	Log       *slog.Logger
}

// Report counts what the demo showed.
type Report struct {
	Mistakes, Caught int // scenario mistakes, and those not passed
	Honest, Passed   int // honest scenarios, and those passed silently
	// Accepted and Refused count the scenarios the gateway answered with
	// 250 and with an error; Upstream counts messages that reached the
	// capture upstream before the demo stopped.
	Accepted, Refused, Upstream int
}

// Run makes the organisation, learns its history, walks through the
// scenarios and, if asked, serves until ctx is done.
func Run(ctx context.Context, o Options) (Report, error) {
	var rep Report
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// A port already taken is said now, not after the minutes of
	// learning the walk-through takes.
	if o.Serve {
		if err := portsFree(o.SMTPAddr, o.HTTPAddr); err != nil {
			return rep, err
		}
	}
	dir := o.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "misend-demo-")
		if err != nil {
			return rep, fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	w := &narrator{w: o.Out}
	org, err := prepare(ctx, w, o, dir)
	if err != nil {
		return rep, err
	}
	defer org.db.Close()
	if err := walkThrough(w, org, &rep); err != nil {
		return rep, err
	}
	if !o.Serve {
		return rep, nil
	}
	err = serve(ctx, w, o, org, dir, &rep)
	return rep, err
}

// narrator prints the demo's story; write errors on a terminal are not
// worth stopping a demo for, so it remembers only the first.
type narrator struct {
	w   io.Writer
	err error
}

func (n *narrator) printf(format string, args ...any) {
	if _, err := fmt.Fprintf(n.w, format, args...); err != nil && n.err == nil {
		n.err = err
	}
}

func since(t time.Time) string { return time.Since(t).Round(100 * time.Millisecond).String() }

// portsFree tells whether the listen addresses can be listened on, by
// listening on them for a moment.
func portsFree(addrs ...string) error {
	for _, a := range addrs {
		if a == "" {
			continue
		}
		l, err := net.Listen("tcp", a)
		if err != nil {
			return fmt.Errorf("demo: cannot listen on %s (another misend or demo running? choose another with --smtp or --http): %w", a, err)
		}
		l.Close()
	}
	return nil
}
