package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/store"
)

func TestPruneBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "state", "misend.db")
	cfg := filepath.Join(dir, "misend.toml")
	os.MkdirAll(filepath.Dir(db), 0o750)
	doc := "db = \"" + db + "\"\n[queue]\ndir = \"" + filepath.Join(dir, "state", "spool") + "\"\n[retention]\naudit_days = 30\nheld_days = 14\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o640); err != nil {
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
	if err != nil || !strings.Contains(out, "1 audit entries") || !strings.Contains(out, "over 14 days is deleted unsent by misend serve") {
		t.Fatalf("prune: %v %s", err, out)
	}
	// A held message in the spool.
	q, err := queue.Open(filepath.Join(dir, "state", "spool"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := q.Add(ctx, queue.Item{Envelope: queue.Envelope{From: "sato@corp.example", To: []string{"x@partner.example"}}, State: queue.Held},
		[]byte("From: sato@corp.example\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	file, archive := filepath.Join(dir, "backup.db"), filepath.Join(dir, "spool.tar.gz")
	if out, err := runTermsCLI(t, "backup", "--config", cfg, "--spool-archive", archive, file); err != nil || !strings.Contains(out, "checked") || !strings.Contains(out, "files") {
		t.Fatalf("backup: %v %s", err, out)
	}
	fresh := filepath.Join(dir, "fresh", "misend.db")
	freshSpool := filepath.Join(dir, "fresh", "spool")
	if _, err := runTermsCLI(t, "restore", "--db", fresh, "--spool", freshSpool, "--spool-archive", archive, file); err != nil {
		t.Fatal(err)
	}
	q2, err := queue.Open(freshSpool)
	if err != nil {
		t.Fatal(err)
	}
	if it, err := q2.Get(id); err != nil || it.State != queue.Held {
		t.Errorf("held message after restore: %+v %v", it, err)
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
