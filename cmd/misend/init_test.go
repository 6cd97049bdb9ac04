package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/keyfile"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/retention"
	"github.com/misend/misend/internal/setup"
)

func TestInitWritesConfigKeyAndAdmin(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "etc", "misend.toml")
	g := &Globals{DB: defaultDB, Config: cfgPath, OrgDomain: []string{"corp.example"}}
	c := &initCmd{PublicURL: "https://misend.corp.example", Lang: "en", TimeZone: "Asia/Tokyo", Network: []string{"10.0.0.0/8"},
		Upstream: "127.0.0.1:2527", StateDir: filepath.Join(dir, "state"), Admin: "Admin@corp.example", AdminPassword: true}
	const pw = "a long enough password"
	if err := withStdin(t, pw+"\n", func() error { return c.Run(g) }); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DB != filepath.Join(dir, "state", "misend.db") || cfg.Notify.BaseURL != "https://misend.corp.example" || cfg.Web.TimeZone != "Asia/Tokyo" {
		t.Errorf("config: %+v", cfg)
	}
	if _, err := keyfile.Load(cfg.Queue.EncryptionKeyFile, keyfile.Exact32, false); err != nil {
		t.Errorf("spool key: %v", err)
	}
	// The topic key is made beside the database, where import and serve
	// look for it, so it is the service user's from the start.
	// Read without making one: the key must be init's.
	if path, _ := (&Globals{DB: cfg.DB}).topicKeyFile(); path != cfg.DB+".topic.key" {
		t.Errorf("topic key looked for at %s", path)
	} else if k, err := keyfile.Load(path, keyfile.Exact32, false); err != nil || len(k) != model.TopicKeySize {
		t.Errorf("topic key beside %s: %d bytes, %v", cfg.DB, len(k), err)
	}
	// The ages the operations guide defends are the ones written.
	if cfg.Retention == nil || *cfg.Retention != retention.Defaults {
		t.Errorf("[retention] written: %+v, want %+v", cfg.Retention, retention.Defaults)
	}
	s, db, err := openAuth(context.Background(), &Globals{DB: cfg.DB})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Login(context.Background(), "admin@corp.example", pw)
	db.Close()
	if err != nil || !p.Has(auth.RoleAdmin) {
		t.Fatalf("first administrator cannot sign in as admin: %+v %v", p, err)
	}

	before, _ := os.ReadFile(cfgPath)
	c2 := &initCmd{StateDir: c.StateDir}
	if err := c2.Run(g); !errors.Is(err, setup.ErrExists) {
		t.Fatalf("second init without --force: %v", err)
	}
	if after, _ := os.ReadFile(cfgPath); string(after) != string(before) {
		t.Error("configuration replaced without --force")
	}
	// With --force the file is replaced, the existing administrator kept.
	c2.Force, c2.Admin = true, "admin@corp.example"
	if err := c2.Run(g); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(cfgPath); string(after) == string(before) {
		t.Error("--force did not replace the configuration")
	}
}

func TestInitNeedsTheOrganisation(t *testing.T) {
	g := &Globals{DB: defaultDB, Config: filepath.Join(t.TempDir(), "misend.toml")}
	if err := (&initCmd{StateDir: t.TempDir()}).Run(g); err == nil {
		t.Fatal("init without --org-domain succeeded")
	}
	if _, err := os.Stat(g.Config); err == nil {
		t.Error("a configuration was written anyway")
	}
}
