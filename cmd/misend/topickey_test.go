package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/mail"
)

// TestTopicKeyFileDefault: the key lives beside an SQLite database unless
// one is named, and PostgreSQL gets no key misend would make on one host
// that replicas on the others could not read.
func TestTopicKeyFileDefault(t *testing.T) {
	tests := []struct {
		name       string
		g          Globals
		wantPath   string
		wantCreate bool
	}{
		{"SQLite", Globals{DB: "/var/lib/misend/misend.db"}, "/var/lib/misend/misend.db.topic.key", true},
		{"SQLite URI", Globals{DB: "file:/var/lib/m.db?mode=rwc"}, "/var/lib/m.db.topic.key", true},
		{"SQLite, named", Globals{DB: "/var/lib/misend/misend.db", TopicKeyFile: "/etc/misend/topic.key"}, "/etc/misend/topic.key", true},
		{"in memory", Globals{DB: ":memory:"}, "", false},
		{"PostgreSQL", Globals{DB: "postgres://misend@db/misend"}, "", false},
		{"PostgreSQL, named: read, never made", Globals{DB: "postgres://misend@db/misend", TopicKeyFile: "/etc/misend/topic.key"}, "/etc/misend/topic.key", false},
	}
	for _, tt := range tests {
		path, create := tt.g.topicKeyFile()
		if path != tt.wantPath || create != tt.wantCreate {
			t.Errorf("%s: %q, make %v; want %q, make %v", tt.name, path, create, tt.wantPath, tt.wantCreate)
		}
	}
}

// TestImportAndServeShareTheTopicKey: import makes the key beside the
// database, 0600, and serve reads the same one, so a reply carrying no
// References finds the imported conversation by its subject. A key others
// may read stops both.
func TestImportAndServeShareTheTopicKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db") // the default beside the file is SQLite's
	hist := filepath.Join(dir, "hist")
	if err := os.Mkdir(hist, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hist, "1.eml"), []byte("From: sato@corp.example\r\nTo: tanaka@partner.example\r\n"+
		"Date: Mon, 2 Nov 2026 09:00:00 +0900\r\nMessage-ID: <orion1@corp.example>\r\nSubject: Project Orion merger\r\n\r\nhello\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := &Globals{DB: db, OrgDomain: []string{"corp.example"}}
	if err := (&importCmd{Paths: []string{hist}, NoFit: true}).Run(g); err != nil {
		t.Fatal(err)
	}
	keyFile := db + ".topic.key"
	fi, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("import made no key beside the database: %v", err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("key file mode %v, %d bytes; want 0600, 32", fi.Mode().Perm(), fi.Size())
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}

	people := []directory.Person{{Address: "sato@corp.example", Name: "Sato", Roles: []directory.Role{directory.RoleSender}}}
	s := startServedOn(t, db, people, "")
	if _, ok := s.model.Conversation("sato@corp.example", &mail.Message{Subject: "Re: Project Orion merger"}); !ok {
		t.Error("serve does not find the imported conversation by its subject: it hashes with another key")
	}
	if again, _ := os.ReadFile(keyFile); !bytes.Equal(again, key) {
		t.Error("serve replaced the key import made")
	}

	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := (&importCmd{Paths: []string{hist}, NoFit: true}).Run(g); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("import with a key others may read: %v, want it refused", err)
	}
	cfg := &config.Config{}
	cfg.Upstream.Addr, cfg.Queue.Dir = "127.0.0.1:25", filepath.Join(dir, "spool")
	sc := serveCmd{}
	sc.merge(cfg)
	_, _, err = sc.options(context.Background(), &Globals{DB: db, OrgDomain: g.OrgDomain}, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("serve with a key others may read: %v, want it refused", err)
	}
}
