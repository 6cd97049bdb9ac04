package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"path/filepath"
	"testing"
	"time"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/sink"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// TestServeFollowsTermLists: a term approved while misend serves applies
// to the next message, without a restart.
func TestServeFollowsTermLists(t *testing.T) {
	defer func(d time.Duration) { termsFollowEvery = d }(termsFollowEvery)
	termsFollowEvery = 200 * time.Millisecond
	ctx := context.Background()
	tmp := t.TempDir()
	dbPath := testDB(t, tmp)
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	people := []directory.Person{
		{Address: "sato@corp.example", Name: "Sato", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
		{Address: "boss@corp.example", Name: "Boss", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}},
	}
	if err := directory.Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}

	up := sink.New()
	ul, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go up.Serve(ul)
	defer up.Close()

	cfg := &config.Config{}
	cfg.SMTP.Listen = "127.0.0.1:0"
	cfg.Upstream.Addr, cfg.Upstream.TLS = ul.Addr().String(), "none"
	cfg.Queue.Dir = filepath.Join(tmp, "spool")
	http := ""
	sc := serveCmd{HTTP: &http}
	sc.merge(cfg)
	o, closeAll, err := sc.options(ctx, &Globals{DB: dbPath, OrgDomain: []string{"corp.example"}}, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	s, err := server.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(ctx)

	send := func(id string) {
		t.Helper()
		msg := "From: sato@corp.example\r\nTo: boss@corp.example\r\nCc: tanaka@partner.example\r\nSubject: plan\r\nMessage-ID: <" + id + "@corp.example>\r\n\r\nThe ORION-7 plan is attached.\r\n"
		if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", []string{"boss@corp.example", "tanaka@partner.example"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	stateOf := func(id string) queue.State {
		for _, st := range []queue.State{queue.Queued, queue.Delivering, queue.Delivered, queue.Held, queue.Confirming, queue.Delayed} {
			for _, it := range s.Queue.List(st) {
				if it.Outcome.MessageID == id+"@corp.example" {
					return st
				}
			}
		}
		return ""
	}

	send("before")
	if st := stateOf("before"); st == queue.Held {
		t.Fatalf("held before any term was listed")
	}
	ts, err := terms.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Add(ctx, terms.DepartmentScope("営業部"), "ORION-7", 0.9, "boss@corp.example"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(termsFollowEvery + 5*time.Second)
	for i := 0; ; i++ {
		id := "after" + string(rune('a'+i))
		send(id)
		if stateOf(id) == queue.Held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a listed term still passes %s after it was added", termsFollowEvery+5*time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
