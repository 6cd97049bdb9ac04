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

// TestRestoreNeedsAPlace: restore replaces a database, so it goes where
// --db or the configuration says, and refuses rather than restore into
// the current directory.
func TestRestoreNeedsAPlace(t *testing.T) {
	if _, err := os.Stat(defaultConfigPath); err == nil {
		t.Skip(defaultConfigPath + " exists here and would say where")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	s, err := store.Open(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Open(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	file := filepath.Join(dir, "backup.db")
	if _, err := runTermsCLI(t, "backup", "--db", src, file); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "spool.tar.gz")
	if err := os.MkdirAll(filepath.Join(dir, "spool"), 0o750); err != nil {
		t.Fatal(err)
	}
	if _, err := runTermsCLI(t, "backup", "--db", src, "--spool", filepath.Join(dir, "spool"), "--spool-archive", archive, filepath.Join(dir, "backup2.db")); err != nil {
		t.Fatal(err)
	}
	writeConfig := func(name, doc string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o640); err != nil {
			t.Fatal(err)
		}
		return p
	}
	configured := filepath.Join(dir, "configured", "misend.db")
	withDB := writeConfig("with-db.toml", "db = \""+configured+"\"\n")
	withoutDB := writeConfig("without-db.toml", "org_domains = [\"corp.example\"]\n")

	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string // "" restores
		want    string // the database restored, relative to the working directory
	}{
		{"nothing says where", nil, "--config FILE, or --db PATH", ""},
		{"config without db", []string{"--config", withoutDB}, "sets no db", ""},
		{"config says where", []string{"--config", withDB}, "", configured},
		{"--db the default, given", []string{"--db", defaultDB}, "", defaultDB},
		{"spool nobody names", []string{"--db", "other.db", "--spool-archive", archive}, "[queue] dir", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wd := t.TempDir()
			t.Chdir(wd)
			_, err := runTermsCLI(t, append(append([]string{"restore"}, tc.args...), file)...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				if entries, _ := os.ReadDir(wd); len(entries) > 0 {
					t.Errorf("a refused restore left %v in the working directory", entries)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(tc.want); err != nil {
				t.Errorf("restored database: %v", err)
			}
		})
	}
}
