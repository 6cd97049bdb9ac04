// Package policystore keeps the policy administrators edit in the web UI:
// every saved version in the database, so it survives a restart and every
// replica on the database decides with it, and the one in force in a
// policy.Policy, which the decision path reads per message.
//
// The configuration file's [policy] tables are version 0, the starting
// policy. Once a version is saved, the database's latest wins over the
// file on every start and every replica, until an administrator saves
// another (for instance the file's again).
//
// A change is checked (policy.Config.Validate), written to the audit log
// with who, and each setting before and after, stored, and only then put
// in force: a change the audit log cannot record does not happen. Two
// administrators editing at once cannot overwrite each other: a change
// names the version it was made from and is refused when another came
// first.
//
// It deliberately decides nothing about mail (package policy does) and
// serves no pages (package web does).
package policystore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Action is the audit action of a policy change.
const Action = audit.PolicyChange

// Version is one policy and where it came from.
type Version struct {
	// Number is 0 for the configuration file's policy, else the saved
	// version.
	Number int64
	At     time.Time // zero for the file's
	Actor  string    // who saved it; "" for the file's
	Config *policy.Config
}

// Store keeps the saved versions and the one in force.
type Store struct {
	db    *store.DB
	audit *audit.Log
	pol   *policy.Policy
	file  policy.Config
	cur   atomic.Pointer[Version]
	// changing serialises this process's own changes and reloads; other
	// replicas are kept out by the version number's primary key.
	changing sync.Mutex
	now      func() time.Time
	log      *slog.Logger
}

// Options configure Open.
type Options struct {
	// Policy is the policy in force, which the decision path reads; Open
	// and every change or reload Set it.
	Policy *policy.Policy // required
	// File is the configuration file's policy (policy.DefaultConfig when
	// the file has none): version 0.
	File  policy.Config
	Audit *audit.Log // required: no audit log, no changes
	Log   *slog.Logger
	Now   func() time.Time
}

// Open applies the migrations and puts the latest saved version in force,
// else the file's.
func Open(ctx context.Context, db *store.DB, o Options) (*Store, error) {
	if o.Policy == nil || o.Audit == nil {
		return nil, errors.New("policystore: a policy and an audit log are required")
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("policystore migrations: %w", err)
	}
	if err := db.Migrate(ctx, "policy", sub); err != nil {
		return nil, err
	}
	file := o.File.Clone()
	if err := file.Validate(); err != nil {
		return nil, fmt.Errorf("policystore: the configuration file's policy: %w", err)
	}
	s := &Store{db: db, audit: o.Audit, pol: o.Policy, file: file, now: o.Now, log: o.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.cur.Store(&Version{Config: &file})
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	if s.cur.Load().Number == 0 {
		if err := s.pol.Set(file); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Current returns the version in force.
func (s *Store) Current() Version { return *s.cur.Load() }

// File returns the configuration file's policy.
func (s *Store) File() policy.Config { return s.file.Clone() }

// FileDiffers reports whether a saved version is in force and the
// configuration file's policy differs from it: an operator editing the
// file should know the file no longer decides.
func (s *Store) FileDiffers() bool {
	v := s.cur.Load()
	return v.Number > 0 && len(Diff(&s.file, v.Config)) > 0
}

// Reload puts the latest saved version in force if it is newer than the
// one in force (another replica saved it).
func (s *Store) Reload(ctx context.Context) error {
	s.changing.Lock()
	defer s.changing.Unlock()
	var n, at int64
	var actor, text string
	err := s.db.QueryRowContext(ctx, `SELECT version, at, actor, policy FROM policy_versions ORDER BY version DESC LIMIT 1`).Scan(&n, &at, &actor, &text)
	if errors.Is(err, sql.ErrNoRows) || err == nil && n <= s.cur.Load().Number {
		return nil
	}
	if err != nil {
		return fmt.Errorf("policystore: read the latest policy: %w", err)
	}
	cfg, err := parse(text)
	if err != nil {
		return fmt.Errorf("policystore: version %d: %w", n, err)
	}
	if err := s.pol.Set(*cfg); err != nil {
		return fmt.Errorf("policystore: version %d: %w", n, err)
	}
	s.cur.Store(&Version{Number: n, At: time.UnixMilli(at).UTC(), Actor: actor, Config: s.pol.Current()})
	return nil
}

// Follow reloads every interval until ctx ends, so a change saved on
// another replica applies here within about that long.
func (s *Store) Follow(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("policy: follow the saved policy", "err", err)
			}
		}
	}
}

// Change is one edit of the policy.
type Change struct {
	Actor, Role, Remote string
	// Base is the version the edit was made from (Current().Number when
	// the page was shown).
	Base int64
	// Config is the whole policy after the edit.
	Config policy.Config
	// What names the part edited for the audit log's target
	// ("department:営業部", "lists", "reset to file").
	What string
}

var (
	// ErrConflict: another change was saved after the one this edit was
	// made from.
	ErrConflict = errors.New("policystore: the policy was changed meanwhile")
	// ErrNoChange: the edit leaves the policy as it is.
	ErrNoChange = errors.New("policystore: nothing changed")
)

// Apply checks, audits, stores and puts a change in force, and returns the
// new version. A policy that does not validate is refused with its
// *policy.Problem errors (errors.Join), before anything is written.
func (s *Store) Apply(ctx context.Context, ch Change) (int64, error) {
	if ch.Actor == "" {
		return 0, errors.New("policystore: a change needs an actor")
	}
	cfg := ch.Config.Clone()
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	s.changing.Lock()
	defer s.changing.Unlock()
	cur := s.cur.Load()
	if ch.Base != cur.Number {
		return 0, ErrConflict
	}
	diff := Diff(cur.Config, &cfg)
	if len(diff) == 0 {
		return 0, ErrNoChange
	}
	text, err := cfg.TOML()
	if err != nil {
		return 0, err
	}
	next := cur.Number + 1
	// Another replica may have saved a version this one has not loaded
	// yet: refuse before the audit log says this change was made. (Two
	// replicas saving in the same instant still meet at the primary key
	// below.)
	var latest int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM policy_versions`).Scan(&latest); err != nil {
		return 0, fmt.Errorf("policystore: read the latest version: %w", err)
	}
	if latest != cur.Number {
		return 0, ErrConflict
	}
	at := s.now()
	// Audit first: a change the log cannot hold is not made.
	if err := s.audit.Record(ctx, audit.Entry{At: at, Actor: ch.Actor, Role: ch.Role, Action: Action,
		Target: fmt.Sprintf("policy v%d: %s", next, ch.What), Detail: DiffText(diff), Remote: ch.Remote}); err != nil {
		return 0, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO policy_versions (version, at, actor, policy) VALUES (?, ?, ?, ?)`,
		next, at.UnixMilli(), ch.Actor, string(text)); err != nil {
		// Most likely another replica saved this version number first.
		return 0, fmt.Errorf("%w (store version %d: %v)", ErrConflict, next, err)
	}
	if err := s.pol.Set(cfg); err != nil {
		return 0, err // validated above: cannot happen
	}
	s.cur.Store(&Version{Number: next, At: at.UTC(), Actor: ch.Actor, Config: s.pol.Current()})
	s.log.Info("policy: changed", "version", next, "by", ch.Actor, "what", ch.What)
	return next, nil
}

// parse reads a stored version.
func parse(text string) (*policy.Config, error) {
	var f struct {
		Policy policy.Config `toml:"policy"`
	}
	if err := toml.Unmarshal([]byte(text), &f); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	return &f.Policy, nil
}
