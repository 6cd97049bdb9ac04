package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/backup"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/retention"
	"github.com/misend/misend/internal/setup"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// withConfig reads --config, when given, and lets its db apply when --db
// was not given. Given neither, the installed configuration applies when
// there is one (so `misend backup FILE` works on a package install); else
// the configuration is empty.
func withConfig(g *Globals) (*config.Config, error) {
	if g.Config == "" && g.DB == defaultDB {
		if _, err := os.Stat(defaultConfigPath); err == nil {
			g.Config = defaultConfigPath
		}
	}
	if g.Config == "" {
		return &config.Config{}, nil
	}
	cfg, err := config.Load(g.Config)
	if err != nil {
		return nil, err
	}
	if g.DB == defaultDB && cfg.DB != "" {
		g.DB = cfg.DB
	}
	return cfg, nil
}

type pruneCmd struct {
	DecisionsDays *int `help:"Delete decisions older than this many days (default: [retention] decisions_days; 0 keeps them)." name:"decisions-days"`
	AuditDays     *int `help:"Delete audit entries older than this many days (default: [retention] audit_days; 0 keeps them)." name:"audit-days"`
	TermIndexDays *int `help:"Delete the term index of mail older than this many days (default: [retention] term_index_days; 0 keeps it)." name:"term-index-days"`
	JournalDays   *int `help:"Delete the replicas' model journal older than this many days (default: [retention] journal_days; 0 keeps it)." name:"journal-days"`
}

// Run sweeps once, as serve does daily with a [retention] table, and
// records it in the audit log under the administrator's name.
func (c *pruneCmd) Run(g *Globals) error {
	cfg, err := withConfig(g)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	r := config.Retention{}
	if cfg.Retention != nil {
		r = *cfg.Retention
	}
	for _, o := range []struct {
		flag *int
		dst  *int
	}{{c.DecisionsDays, &r.DecisionsDays}, {c.AuditDays, &r.AuditDays}, {c.TermIndexDays, &r.TermIndexDays}, {c.JournalDays, &r.JournalDays}} {
		if o.flag != nil {
			if *o.flag < 0 {
				return errors.New("prune: days must not be negative")
			}
			*o.dst = *o.flag
		}
	}
	// Held mail is in the spool of the serving misend, which ends it in
	// its own daily sweep; two processes on one spool would race.
	heldDays := r.HeldDays
	r.HeldDays = 0
	p := retention.FromConfig(r)
	if p.Keeps() {
		return errors.New("prune: nothing to delete: set a [retention] table in the configuration, or give --decisions-days, --audit-days, --term-index-days or --journal-days")
	}
	ctx := context.Background()
	s, closeDB, err := openSweeper(ctx, g.DB)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	defer closeDB()
	s.Actor, s.RecordEmpty = defaultBy(""), true
	out, err := s.Sweep(ctx, p)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	fmt.Printf("deleted %d decisions, %d audit entries, %d messages of the term index and %d entries of the model journal; recorded in the audit log\n",
		out.Decisions, out.Audit, out.TermIndex, out.Journal)
	if heldDays > 0 {
		fmt.Printf("held mail waiting over %d days is deleted unsent by misend serve's daily sweep, which owns the spool\n", heldDays)
	}
	return nil
}

// openSweeper opens the database and what a sweep deletes from.
func openSweeper(ctx context.Context, dsn string) (*retention.Sweeper, func(), error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	s, err := sweeperOn(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return s, func() { db.Close() }, nil
}

func sweeperOn(ctx context.Context, db *store.DB) (*retention.Sweeper, error) {
	al, err := audit.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	ts, err := terms.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	return &retention.Sweeper{DB: db, Audit: al, Terms: ts}, nil
}

type backupCmd struct {
	File         string `arg:"" type:"path" help:"The backup file to write; must not exist."`
	SpoolArchive string `help:"Also write the spool (held and waiting mail) to this .tar.gz." type:"path" name:"spool-archive"`
	Spool        string `help:"Spool directory (default: [queue] dir, else ./misend-spool)." type:"path" name:"spool"`
}

// spoolDir is the spool a backup or restore works on.
func spoolDir(flag string, cfg *config.Config) string {
	switch {
	case flag != "":
		return flag
	case cfg.Queue.Dir != "":
		return cfg.Queue.Dir
	}
	return "./misend-spool"
}

// Run copies the live SQLite database; misend may keep serving meanwhile.
func (c *backupCmd) Run(g *Globals) error {
	cfg, err := withConfig(g)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if strings.Contains(g.DB, "://") {
		return fmt.Errorf("backup: %w", backup.ErrPostgres)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	start := time.Now()
	n, err := backup.Save(ctx, db, c.File)
	if err != nil {
		return err
	}
	fmt.Printf("backed up %s to %s (%.1f MB, checked, %s)\n", g.DB, c.File, float64(n)/1e6, time.Since(start).Round(time.Millisecond))
	if c.SpoolArchive == "" {
		fmt.Println("held mail is in the spool: back it up too (--spool-archive), and keep the spool key")
		return nil
	}
	dir := spoolDir(c.Spool, cfg)
	files, err := backup.SaveSpool(dir, c.SpoolArchive)
	if err != nil {
		return err
	}
	fmt.Printf("backed up the spool %s to %s (%d files); it is no use without the spool key\n", dir, c.SpoolArchive, files)
	return nil
}

type restoreCmd struct {
	File         string `arg:"" type:"existingfile" help:"A file written by misend backup."`
	Force        bool   `help:"Replace an existing database (stop misend first); the replaced one is kept beside it."`
	SpoolArchive string `help:"Also restore the spool from this archive of misend backup, into an empty spool." type:"path" name:"spool-archive"`
	Spool        string `help:"Spool directory (default: [queue] dir)." type:"path" name:"spool"`
}

// flagGiven says whether the flag was on the command line, which a
// default value alone cannot tell.
func flagGiven(k *kong.Context, name string) bool {
	for _, p := range k.Path {
		if p.Flag != nil && p.Flag.Name == name && !p.Resolved {
			return true
		}
	}
	return false
}

// Run puts the backup where --db or the configuration says. Unlike the
// commands that only read, it does not fall back to ./misend.db: on a
// host without /etc/misend, a forgotten --config would otherwise restore
// a database into the current directory that no misend reads, and the
// administrator would find the old one still serving.
func (c *restoreCmd) Run(g *Globals, k *kong.Context) error {
	cfg, err := withConfig(g)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if g.DB == defaultDB && !flagGiven(k, "db") {
		if g.Config == "" {
			return fmt.Errorf("restore: no configuration says where the database is (there is no %s): give --config FILE, or --db PATH of the database to replace", defaultConfigPath)
		}
		return fmt.Errorf("restore: %s sets no db: give --db PATH of the database to replace", g.Config)
	}
	if c.SpoolArchive != "" && c.Spool == "" && cfg.Queue.Dir == "" {
		return errors.New("restore: no configuration says where the spool is ([queue] dir): give --spool DIR, or --config FILE")
	}
	if strings.Contains(g.DB, "://") {
		return errors.New("restore: the database is PostgreSQL: restore it with pg_restore or psql (see the README)")
	}
	kept, err := backup.Restore(context.Background(), c.File, g.DB, c.Force, time.Now())
	if err != nil {
		return err
	}
	// Run as root for a package install, the database must stay the
	// service user's.
	if err := setup.GiveTo(filepath.Dir(g.DB), g.DB); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Printf("restored %s from %s\n", g.DB, c.File)
	if kept != "" {
		fmt.Printf("the replaced database is kept as %s; remove it once misend runs well\n", kept)
	}
	if c.SpoolArchive == "" {
		return nil
	}
	dir := spoolDir(c.Spool, cfg)
	files, err := backup.RestoreSpool(c.SpoolArchive, dir)
	if err != nil {
		return err
	}
	var paths []string
	filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, p)
		}
		return nil
	})
	if err := setup.GiveTo(filepath.Dir(dir), paths...); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Printf("restored the spool %s from %s (%d files)\n", dir, c.SpoolArchive, files)
	return nil
}
