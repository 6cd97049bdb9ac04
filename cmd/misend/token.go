package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/store"
)

type tokenCmd struct {
	Create tokenCreateCmd `cmd:"" help:"Make an API bearer token acting as a person; the secret is printed once."`
	Revoke tokenRevokeCmd `cmd:"" help:"Revoke an API token by id."`
	List   tokenListCmd   `cmd:"" help:"List API tokens (never their secrets)."`
}

type tokenCreateCmd struct {
	Name    string   `required:"" help:"What the token is for (e.g. 'outlook add-in')."`
	Role    []string `help:"Extra role for the token besides the person's own (repeatable)."`
	Expires string   `help:"Lifetime, e.g. 90d or 720h; empty means no expiry." default:""`
	Address string   `arg:"" help:"The person the token acts for (must be in the directory unless --role is given)."`
}

// openAuth opens the token store with the current directory, so a token
// carries the person's roles and departments as the directory says.
// withAuth runs fn with the accounts and tokens of --db, closing it after.
func withAuth(g *Globals, fn func(ctx context.Context, s *auth.Service) error) error {
	ctx := context.Background()
	s, db, err := openAuth(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(ctx, s)
}

func openAuth(ctx context.Context, g *Globals) (*auth.Service, *store.DB, error) {
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return nil, nil, err
	}
	dir, err := directory.Load(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	s, err := auth.Open(ctx, db, dir)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return s, db, nil
}

func (c *tokenCreateCmd) Run(g *Globals) error {
	ctx := context.Background()
	var expires time.Time
	if c.Expires != "" {
		d, err := parseLifetime(c.Expires)
		if err != nil {
			return err
		}
		expires = time.Now().Add(d)
	}
	roles := make([]auth.Role, len(c.Role))
	for i, r := range c.Role {
		roles[i] = auth.Role(r)
	}
	s, db, err := openAuth(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, t, err := s.CreateToken(ctx, c.Address, c.Name, roles, expires)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "token %d for %s; it is shown only now:\n", t.ID, t.Address)
	fmt.Println(secret)
	return nil
}

// parseLifetime reads a Go duration or a number of days ("90d").
func parseLifetime(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 3650 {
			return 0, fmt.Errorf("--expires %q: days must be 1 to 3650", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: a positive duration such as 90d or 720h", s)
	}
	return d, nil
}

type tokenRevokeCmd struct {
	ID int64 `arg:"" help:"Token id (see misend token list)."`
}

func (c *tokenRevokeCmd) Run(g *Globals) error {
	ctx := context.Background()
	s, db, err := openAuth(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := s.RevokeToken(ctx, c.ID); err != nil {
		return err
	}
	fmt.Printf("token %d revoked\n", c.ID)
	return nil
}

type tokenListCmd struct {
	Address string `help:"Only this person's tokens."`
	JSON    bool   `help:"One JSON object per token."`
}

func (c *tokenListCmd) Run(g *Globals) error {
	ctx := context.Background()
	s, db, err := openAuth(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	ts, err := s.Tokens(ctx, c.Address)
	if err != nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		for _, t := range ts {
			if err := enc.Encode(t); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tADDRESS\tNAME\tROLES\tCREATED\tEXPIRES\tSTATUS")
	for _, t := range ts {
		status := "active"
		switch {
		case !t.Revoked.IsZero():
			status = "revoked " + t.Revoked.Format(time.DateOnly)
		case !t.Expires.IsZero() && time.Now().After(t.Expires):
			status = "expired"
		}
		exp := "-"
		if !t.Expires.IsZero() {
			exp = t.Expires.Format(time.DateOnly)
		}
		roles := make([]string, len(t.Roles))
		for i, r := range t.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Address, t.Name, strings.Join(roles, ";"), t.Created.Format(time.DateOnly), exp, status)
	}
	return tw.Flush()
}
