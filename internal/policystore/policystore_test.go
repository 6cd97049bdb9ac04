package policystore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

type replica struct {
	pol   *policy.Policy
	store *Store
	audit *audit.Log
}

// open starts a "replica" on db with the file policy file.
func open(t *testing.T, db *store.DB, file policy.Config) replica {
	t.Helper()
	ctx := context.Background()
	al, err := audit.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	pol := &policy.Policy{}
	s, err := Open(ctx, db, Options{Policy: pol, File: file, Audit: al})
	if err != nil {
		t.Fatal(err)
	}
	return replica{pol, s, al}
}

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), pgtest.Path(t, t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func fileWithShadow() policy.Config {
	c := policy.DefaultConfig()
	yes := true
	c.Default.Shadow = &yes
	return c
}

func TestApplySurvivesRestartAndReachesReplicas(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	a := open(t, db, fileWithShadow())
	if v := a.store.Current(); v.Number != 0 || !*v.Config.Default.Shadow {
		t.Fatalf("start: version %d, shadow %v; want the file's", v.Number, *v.Config.Default.Shadow)
	}
	b := open(t, db, fileWithShadow()) // a second replica

	edit := a.store.Current().Config.Clone()
	no := false
	edit.Departments = map[string]policy.Rules{"営業部": {Shadow: &no, Bands: map[policy.Verdict]float64{policy.Confirm: 0.7}}}
	edit.TrustedDomains = []string{"group-co.co.jp"}
	n, err := a.store.Apply(ctx, Change{Actor: "admin@corp.example", Role: "admin", Base: 0, Config: edit, What: "department:営業部"})
	if err != nil || n != 1 {
		t.Fatalf("Apply = %d, %v", n, err)
	}
	// In force at once here...
	if d := a.pol.Evaluate("営業部", 0.75, nil); d.Verdict != policy.Confirm || d.Shadow {
		t.Errorf("after the change: %+v, want confirm out of shadow mode", d)
	}
	if !a.pol.Current().Trusted("group-co.co.jp") {
		t.Error("trusted domain not in force")
	}
	// ...the other replica, not having looked yet, cannot save over it...
	stale := b.store.Current().Config.Clone()
	stale.ExemptSenders = []string{"noreply@"}
	if _, err := b.store.Apply(ctx, Change{Actor: "other@corp.example", Base: 0, Config: stale}); !errors.Is(err, ErrConflict) {
		t.Errorf("a replica behind saved over the change: %v", err)
	}
	// ...and uses it once it looks...
	if d := b.pol.Evaluate("営業部", 0.75, nil); d.Verdict != policy.Pass {
		t.Errorf("replica changed before it looked: %+v", d)
	}
	if err := b.store.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if d := b.pol.Evaluate("営業部", 0.75, nil); d.Verdict != policy.Confirm {
		t.Errorf("replica after reload: %+v, want confirm", d)
	}
	// ...and after a restart, whatever the file says.
	c := open(t, db, fileWithShadow())
	if v := c.store.Current(); v.Number != 1 || v.Actor != "admin@corp.example" || !c.store.FileDiffers() {
		t.Errorf("restart: version %d by %q, file differs %v", v.Number, v.Actor, c.store.FileDiffers())
	}
	if d := c.pol.Evaluate("営業部", 0.75, nil); d.Verdict != policy.Confirm {
		t.Errorf("restart: %+v, want confirm", d)
	}

	// The audit log has who, what, before and after.
	es, err := a.audit.Query(ctx, audit.Filter{Action: Action})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit: %v, %v", es, err)
	}
	e := es[0]
	for _, want := range []string{`department."営業部".shadow: – → false`, `department."営業部".bands.confirm: – → 0.7`, "trusted_domains.group-co.co.jp: – → trusted"} {
		if !strings.Contains(e.Detail, want) {
			t.Errorf("audit detail %q lacks %q", e.Detail, want)
		}
	}
	if e.Actor != "admin@corp.example" || e.Target != "policy v1: department:営業部" {
		t.Errorf("audit entry %+v", e)
	}
}

func TestApplyRefuses(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	a := open(t, db, policy.DefaultConfig())
	good := a.store.Current().Config.Clone()
	good.Default.Codes[finding.NewDomain] = policy.Confirm
	bad := a.store.Current().Config.Clone()
	bad.Default.Bands[policy.Hold] = 0.3 // below confirm
	bad.TrustedDomains = []string{"co.jp"}

	if _, err := a.store.Apply(ctx, Change{Actor: "admin@corp.example", Base: 0, Config: good}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ch   Change
		want func(error) bool
	}{
		{"made from an old version", Change{Actor: "other@corp.example", Base: 0, Config: good},
			func(err error) bool { return errors.Is(err, ErrConflict) }},
		{"invalid", Change{Actor: "admin@corp.example", Base: 1, Config: bad}, func(err error) bool {
			keys := map[string]bool{}
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var p *policy.Problem
				if errors.As(e, &p) {
					keys[p.Key] = true
				}
			}
			return keys["band_order"] && keys["trusted_suffix"]
		}},
		{"nothing changed", Change{Actor: "admin@corp.example", Base: 1, Config: good},
			func(err error) bool { return errors.Is(err, ErrNoChange) }},
		{"no actor", Change{Base: 1, Config: bad}, func(err error) bool { return err != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := a.store.Apply(ctx, tt.ch)
			if err == nil || !tt.want(err) {
				t.Fatalf("Apply = %d, %v", n, err)
			}
			if v := a.store.Current().Number; v != 1 {
				t.Errorf("version %d after a refused change", v)
			}
			if es, _ := a.audit.Query(ctx, audit.Filter{Action: Action}); len(es) != 1 {
				t.Errorf("%d audit entries, want the first change's only", len(es))
			}
		})
	}
}

// TestAuditFirst: a change the audit log cannot record is not made.
func TestAuditFirst(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	auditDB, err := store.Open(ctx, t.TempDir()+"/audit.db")
	if err != nil {
		t.Fatal(err)
	}
	al, err := audit.Open(ctx, auditDB)
	if err != nil {
		t.Fatal(err)
	}
	pol := &policy.Policy{}
	s, err := Open(ctx, db, Options{Policy: pol, File: policy.DefaultConfig(), Audit: al, Now: func() time.Time { return time.Unix(1e9, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	auditDB.Close()
	edit := s.Current().Config.Clone()
	edit.ExemptSenders = []string{"noreply@"}
	if _, err := s.Apply(ctx, Change{Actor: "admin@corp.example", Config: edit}); err == nil {
		t.Fatal("applied without an audit log")
	}
	if s.Current().Number != 0 || len(pol.Current().ExemptSenders) != 0 {
		t.Error("the change took effect")
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM policy_versions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d versions stored (%v)", n, err)
	}
}

func TestDiff(t *testing.T) {
	yes := true
	a := policy.Config{Default: policy.Rules{Bands: map[policy.Verdict]float64{policy.Hold: 0.9}}, TrustedDomains: []string{"a.example"}}
	b := policy.Config{Default: policy.Rules{Bands: map[policy.Verdict]float64{policy.Hold: 0.8}, Shadow: &yes}, TrustedDomains: []string{"b.example"}}
	got := DiffText(Diff(&a, &b))
	want := "default.bands.hold: 0.9 → 0.8; default.shadow: – → true; trusted_domains.a.example: trusted → –; trusted_domains.b.example: – → trusted"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
