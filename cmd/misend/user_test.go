package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/store/pgtest"
)

func withStdin(t *testing.T, s string, fn func() error) error {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(s)
	w.Close()
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old; r.Close() }()
	return fn()
}

func TestUserCommands(t *testing.T) {
	g := &Globals{DB: pgtest.Path(t, t.TempDir(), "m.db")}
	ctx := context.Background()
	const pw = "a long enough password"
	if err := withStdin(t, pw+"\n", func() error { return (&userAddCmd{Role: []string{"admin"}, Address: "First@corp.example"}).Run(g) }); err != nil {
		t.Fatal(err)
	}
	if err := withStdin(t, pw+"\n", func() error { return (&userAddCmd{Address: "stranger@corp.example"}).Run(g) }); err == nil {
		t.Error("account for someone outside the directory without a role")
	}
	if err := withStdin(t, "", func() error { return (&userPasswdCmd{Address: "first@corp.example"}).Run(g) }); err == nil || !strings.Contains(err.Error(), "no password") {
		t.Errorf("empty password: %v", err)
	}
	s, db, err := openAuth(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p, err := s.Login(ctx, "first@corp.example", pw); err != nil || !p.Has(auth.RoleAdmin) {
		t.Fatalf("login after user add: %+v %v", p, err)
	}
	var out bytes.Buffer
	gen, err := passwordFlags{Generate: true}.password(nil, &out)
	if err != nil || len(gen) < auth.MinPasswordLen || !strings.Contains(out.String(), gen) {
		t.Fatalf("generated %q, printed %q", gen, out.String())
	}
	if err := (&userDisableCmd{Address: "first@corp.example"}).Run(g); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, "first@corp.example", pw); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("disabled account signed in: %v", err)
	}
	if err := (&userRolesCmd{Role: []string{"root"}, Address: "first@corp.example"}).Run(g); err == nil {
		t.Error("unknown role accepted")
	}
}
