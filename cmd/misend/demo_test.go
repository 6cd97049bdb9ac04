package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/demo"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store"
)

// TestDemoLikeServe runs the demo through serve's own assembly: the
// scenarios go through the gateway, held ones notify their senders and
// approvers through the upstream, and the web UI accounts are printed.
func TestDemoLikeServe(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and learns an organisation")
	}
	var out bytes.Buffer
	rep, err := demo.Run(context.Background(), demo.Options{
		Seed: 5, People: 150, Days: 120, Dir: t.TempDir(),
		Serve: true, SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", For: 3 * time.Second,
		Out: &out, Start: startLikeServe,
	})
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	held := rep.Accepted - rep.Passed
	if rep.Accepted == 0 || held <= 0 {
		t.Fatalf("accepted %d, passed %d: nothing held", rep.Accepted, rep.Passed)
	}
	// Every held message sends at least one notice besides the passed mail.
	if rep.Upstream < rep.Passed+held {
		t.Errorf("upstream got %d messages, want at least %d passed + %d notices", rep.Upstream, rep.Passed, held)
	}
	// The demo company is Japanese: its notices are in Japanese by default.
	for _, want := range []string{"web UI", demo.Password, "approver of ", "承認依頼"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("narrative lacks %q", want)
		}
	}
}

// demo --db learns into that database, so misend check can use it after.
func TestDemoDB(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and learns an organisation")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "kept.db")
	if _, err := runTermsCLI(t, "demo", "--no-serve", "--people", "60", "--days", "40", "--dir", filepath.Join(dir, "work"), "--db", db); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := model.Load(context.Background(), s, model.Config{})
	if err != nil || m.Stats().Learned == 0 {
		t.Fatalf("nothing learned into --db: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "work", "misend.db")); err == nil {
		t.Error("the demo also made its own database")
	}
}
