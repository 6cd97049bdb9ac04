package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/sink"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

// served is misend serve's assembly running for a test: its database, with
// people imported as the directory, and a capturing upstream.
type served struct {
	*server.Server
	db    *store.DB
	up    *sink.Sink
	model *model.Model
}

// startServed starts misend as `misend serve` assembles it, over a fresh
// database holding people; http is the HTTP listen address ("" for none).
// Everything stops when t ends.
func startServed(t *testing.T, people []directory.Person, http string) *served {
	t.Helper()
	return startServedOn(t, pgtest.Path(t, t.TempDir(), "m.db"), people, http)
}

// startServedOn is startServed over the database dbPath, which other
// replicas may share.
func startServedOn(t *testing.T, dbPath string, people []directory.Person, http string) *served {
	t.Helper()
	return startServedWith(t, dbPath, people, http, &config.Config{})
}

// startServedWith is startServedOn with the configuration file's cfg
// under what the harness sets (listeners, upstream, spool).
func startServedWith(t *testing.T, dbPath string, people []directory.Person, http string, cfg *config.Config) *served {
	t.Helper()
	ctx := context.Background()
	tmp := t.TempDir()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := directory.Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}
	up := sink.New()
	ul, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go up.Serve(ul)
	t.Cleanup(func() { up.Close() })

	cfg.SMTP.Listen = "127.0.0.1:0"
	cfg.Upstream.Addr, cfg.Upstream.TLS = ul.Addr().String(), "none"
	cfg.Queue.Dir = filepath.Join(tmp, "spool")
	sc := serveCmd{HTTP: &http}
	sc.merge(cfg)
	o, closeAll, err := sc.options(ctx, &Globals{DB: dbPath, OrgDomain: []string{"corp.example"}}, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeAll)
	s, err := server.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(ctx) })
	return &served{Server: s, db: db, up: up, model: o.Model}
}
