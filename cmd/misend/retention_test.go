package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/store"
)

func TestPruneBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "state", "misend.db")
	cfg := filepath.Join(dir, "misend.toml")
	os.MkdirAll(filepath.Dir(db), 0o750)
	if err := os.WriteFile(cfg, []byte("db = \""+db+"\"\n[retention]\naudit_days = 30\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	al, err := audit.Open(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	al.Record(ctx, audit.Entry{At: time.Now().AddDate(0, 0, -40), Actor: "boss@corp.example", Action: audit.Release, Target: "old"})
	al.Record(ctx, audit.Entry{Actor: "boss@corp.example", Action: audit.Release, Target: "new"})
	s.Close()

	out, err := runTermsCLI(t, "prune", "--config", cfg)
	if err != nil || !strings.Contains(out, "1 audit entries") {
		t.Fatalf("prune: %v %s", err, out)
	}
	file := filepath.Join(dir, "backup.db")
	if out, err := runTermsCLI(t, "backup", "--config", cfg, file); err != nil || !strings.Contains(out, "checked") {
		t.Fatalf("backup: %v %s", err, out)
	}
	fresh := filepath.Join(dir, "fresh", "misend.db")
	if _, err := runTermsCLI(t, "restore", "--db", fresh, file); err != nil {
		t.Fatal(err)
	}
	s, err = store.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	al, _ = audit.Open(ctx, s)
	es, _ := al.Query(ctx, audit.Filter{})
	var targets []string
	for _, e := range es {
		targets = append(targets, e.Action+":"+e.Target)
	}
	if got := strings.Join(targets, ","); got != "retention-prune:,release:new" {
		t.Errorf("restored audit log: %s", got)
	}
	if _, err := runTermsCLI(t, "prune", "--db", fresh); err == nil {
		t.Error("prune with no retention configured succeeded")
	}
}
