package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/keyfile"
	"github.com/misend/misend/internal/setup"
)

// defaultConfigPath is where init writes without --config: where the
// package's unit reads it.
const defaultConfigPath = "/etc/misend/misend.toml"

type initCmd struct {
	PublicURL     string   `help:"Public base URL of the web UI, for links in notices (e.g. https://misend.corp.example); notices are off without it." name:"public-url"`
	Lang          string   `help:"Language of notices for people the directory gives none: ja or en (default: from $LANG, else ja)." name:"lang"`
	TimeZone      string   `help:"Time zone where report days begin (default: the system's)." name:"time-zone"`
	Network       []string `help:"Client network allowed to relay, CIDR (repeatable)." name:"network"`
	Upstream      string   `help:"Upstream smarthost host:port, where passing and released mail goes." name:"upstream"`
	SMTP          string   `help:"SMTP listen address (default 127.0.0.1:2525)." name:"smtp"`
	HTTP          string   `help:"HTTP listen address (default 127.0.0.1:8025)." name:"http"`
	StateDir      string   `help:"Directory of the database, spool and link key." default:"/var/lib/misend" name:"state-dir"`
	SpoolKey      string   `help:"Spool encryption key file, created if missing (default: spool.key beside the configuration file)." name:"spool-key"`
	NoSpoolKey    bool     `help:"Leave held message bodies unencrypted in the spool." name:"no-spool-key"`
	Admin         string   `help:"Mail address of the first administrator; its password is made and printed once." name:"admin"`
	AdminPassword bool     `help:"Read the administrator's password from standard input instead of making one." name:"admin-password-stdin"`
	Force         bool     `help:"Replace an existing configuration file (keys and accounts are kept)."`
}

func (c *initCmd) Run(g *Globals) error {
	path := g.Config
	if path == "" {
		path = defaultConfigPath
	}
	org := setup.Org{Domains: g.OrgDomain, PublicURL: c.PublicURL, Lang: c.Lang, TimeZone: c.TimeZone, Networks: c.Network,
		Upstream: c.Upstream, SMTP: c.SMTP, HTTP: c.HTTP, StateDir: c.StateDir}
	if org.Lang == "" {
		org.Lang = setup.LangOf(os.Getenv("LANG"))
	}
	if org.TimeZone == "" {
		org.TimeZone = setup.SystemTimeZone()
	}
	if g.DB != defaultDB {
		org.DB = g.DB
	}
	if !c.NoSpoolKey {
		org.SpoolKey = c.SpoolKey
		if org.SpoolKey == "" {
			org.SpoolKey = filepath.Join(filepath.Dir(path), "spool.key")
		}
	}
	b, err := org.Config()
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	org, _ = org.Defaults()
	if err := setup.WriteConfig(path, b, c.Force); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	fmt.Printf("configuration written to %s\n", path)
	if err := os.MkdirAll(org.StateDir, 0o750); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	owned := []string{path}
	if org.SpoolKey != "" {
		made, err := keyfile.New(org.SpoolKey)
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		if made {
			fmt.Printf("spool key made: %s (back it up: held mail cannot be read without it)\n", org.SpoolKey)
			owned = append(owned, org.SpoolKey)
		}
	}
	// The subject hashes' key is made here, beside an SQLite database,
	// so it belongs to the user the service runs as even when the first
	// import is run by root. On PostgreSQL it is the administrator's to
	// make once and copy to every replica.
	if !strings.Contains(org.DB, "://") {
		key := org.DB + ".topic.key"
		made, err := keyfile.New(key)
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		if made {
			fmt.Printf("topic key made: %s (keep it out of the database's backups)\n", key)
			owned = append(owned, key)
		}
	} else {
		fmt.Println("PostgreSQL: make one topic key for every replica and set [model] topic_key_file (see docs/operations.md, Upgrade)")
	}
	if c.Admin != "" {
		g.DB = org.DB
		if err := c.addAdmin(g); err != nil {
			return fmt.Errorf("init: %w", err)
		}
		if !strings.Contains(org.DB, "://") {
			owned = append(owned, org.DB, org.DB+"-wal", org.DB+"-shm")
		}
	}
	if err := setup.GiveTo(org.StateDir, owned...); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	fmt.Printf("next: misend config check --config %s\n", path)
	return nil
}

// addAdmin makes the first administrator, or leaves an existing account
// as it is when init runs again.
func (c *initCmd) addAdmin(g *Globals) error {
	return withAuth(g, func(ctx context.Context, s *auth.Service) error {
		accts, err := s.Accounts(ctx)
		if err != nil {
			return err
		}
		addr := strings.ToLower(strings.TrimSpace(c.Admin))
		if slices.ContainsFunc(accts, func(a auth.Account) bool { return a.Address == addr }) {
			fmt.Printf("administrator %s exists already; left as it is (misend user passwd to change its password)\n", addr)
			return nil
		}
		pw, err := passwordFlags{Generate: !c.AdminPassword}.password(os.Stdin, os.Stdout)
		if err != nil {
			return err
		}
		if err := s.AddAccount(ctx, addr, pw, []auth.Role{auth.RoleAdmin}); err != nil {
			return err
		}
		fmt.Printf("administrator %s created\n", addr)
		return nil
	})
}
