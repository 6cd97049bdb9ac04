package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store/pgtest"
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

// TestServeReplicasShareTheTopicKey: two replicas on one PostgreSQL
// database reading one key file thread a reply by its subject alone into
// the conversation the other let through, its topic having come through
// the journal; a replica without the key learns the message but not its
// conversation. A key file named on PostgreSQL that is not there stops
// serve rather than being made on one host only.
func TestServeReplicasShareTheTopicKey(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "topic.key")
	if err := os.WriteFile(keyFile, bytes.Repeat([]byte{5}, model.TopicKeySize), 0o600); err != nil {
		t.Fatal(err)
	}
	people := []directory.Person{{Address: "sato@corp.example", Name: "Sato", Roles: []directory.Role{directory.RoleSender}}}
	withKey := func(path string) *config.Config {
		cfg := &config.Config{}
		cfg.Model.TopicKeyFile = path
		return cfg
	}
	a := startServedWith(t, dsn, people, "", withKey(keyFile))
	b := startServedWith(t, dsn, people, "", withKey(keyFile))
	unkeyed := startServedWith(t, dsn, people, "", nil)
	msg := "From: sato@corp.example\r\nTo: tanaka@partner.example\r\nSubject: Project Orion merger\r\nMessage-ID: <orion@corp.example>\r\n\r\nhello\r\n"
	if err := smtp.SendMail(a.SMTP.String(), nil, "sato@corp.example", []string{"tanaka@partner.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	reply := &mail.Message{Subject: "Re: Project Orion merger"}
	learned := func(s *served) bool {
		return s.model.Contact("sato@corp.example", "tanaka@partner.example", time.Now()).Sent > 0
	}
	for end := time.Now().Add(15 * time.Second); !learned(b) || !learned(unkeyed); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the other replicas never learned the message")
		}
	}
	tests := []struct {
		name string
		s    *served
		want bool
	}{
		{"the replica that saw it", a, true},
		{"another replica, same key file", b, true},
		{"a replica without the key", unkeyed, false},
	}
	for _, tt := range tests {
		if _, ok := tt.s.model.Conversation("sato@corp.example", reply); ok != tt.want {
			t.Errorf("%s: reply by subject found the conversation: %v, want %v", tt.name, ok, tt.want)
		}
	}

	cfg := withKey(filepath.Join(dir, "absent.key"))
	cfg.Upstream.Addr, cfg.Queue.Dir = "127.0.0.1:25", filepath.Join(dir, "spool")
	sc := serveCmd{}
	sc.merge(cfg)
	if _, _, err := sc.options(context.Background(), &Globals{DB: dsn, OrgDomain: []string{"corp.example"}}, cfg,
		slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("serve on PostgreSQL with a key file not there: %v, want it refused", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "absent.key")); err == nil {
		t.Error("a key was made for a shared database")
	}
}
