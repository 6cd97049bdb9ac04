package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

// stdout runs fn with os.Stdout captured.
func stdout(t *testing.T, fn func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	err = fn()
	w.Close()
	os.Stdout = old
	return <-done, err
}

// misend token create prints a secret that authenticates as the person;
// list shows it without the secret; revoke ends it.
func TestTokenCommands(t *testing.T) {
	ctx := context.Background()
	g := &Globals{DB: pgtest.Path(t, t.TempDir(), "m.db")}
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	people := []directory.Person{{Address: "sato@corp.example", Name: "佐藤", Department: "営業部", Roles: []directory.Role{directory.RoleSender}}}
	if err := directory.Import(ctx, db, people, nil); err != nil {
		t.Fatal(err)
	}
	secret, err := stdout(t, func() error {
		return (&tokenCreateCmd{Name: "add-in", Expires: "90d", Address: "Sato@corp.example"}).Run(g)
	})
	if err != nil {
		t.Fatal(err)
	}
	secret = strings.TrimSpace(secret)
	as, err := auth.Open(ctx, db, directory.New(people, nil))
	if err != nil {
		t.Fatal(err)
	}
	p, err := as.AuthenticateToken(ctx, secret)
	if err != nil || p.Address != "sato@corp.example" || p.Department != "営業部" {
		t.Fatalf("token from the command: %+v %v", p, err)
	}
	list, err := stdout(t, func() error { return (&tokenListCmd{}).Run(g) })
	if err != nil || !strings.Contains(list, "add-in") || !strings.Contains(list, "active") || strings.Contains(list, secret) {
		t.Errorf("list: %v\n%s", err, list)
	}
	ts, _ := as.Tokens(ctx, "")
	if _, err := stdout(t, func() error { return (&tokenRevokeCmd{ID: ts[0].ID}).Run(g) }); err != nil {
		t.Fatal(err)
	}
	if _, err := as.AuthenticateToken(ctx, secret); !errors.Is(err, auth.ErrBadToken) {
		t.Errorf("revoked token: %v", err)
	}
	for _, c := range []*tokenCreateCmd{
		{Name: "x", Address: "stranger@else.example"},
		{Name: "x", Address: "sato@corp.example", Role: []string{"god"}},
		{Name: "x", Address: "sato@corp.example", Expires: "0d"},
		{Name: "x", Address: "sato@corp.example", Expires: "soon"},
	} {
		if _, err := stdout(t, func() error { return c.Run(g) }); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}
