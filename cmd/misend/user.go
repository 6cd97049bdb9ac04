package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/misend/misend/internal/auth"
)

type userCmd struct {
	Add     userAddCmd     `cmd:"" help:"Create a local web account (password read from standard input, or --generate)."`
	Passwd  userPasswdCmd  `cmd:"" help:"Set a local account's password; signs it out everywhere and lifts a lockout."`
	Roles   userRolesCmd   `cmd:"" help:"Set the extra roles of a local account (beyond the directory's)."`
	Disable userDisableCmd `cmd:"" help:"Disable a local account and sign it out."`
	Enable  userEnableCmd  `cmd:"" help:"Enable a disabled local account."`
	List    userListCmd    `cmd:"" help:"List local accounts."`
}

type passwordFlags struct {
	Generate bool `help:"Make a random password and print it once, instead of reading one from standard input."`
}

// password reads the first line of standard input, or makes one.
func (p passwordFlags) password(in io.Reader, out io.Writer) (string, error) {
	if p.Generate {
		b := make([]byte, 15)
		rand.Read(b)
		const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
		var sb strings.Builder
		for _, c := range b {
			sb.WriteByte(alphabet[int(c)%len(alphabet)])
		}
		pw := sb.String()
		fmt.Fprintf(out, "password: %s\n", pw)
		return pw, nil
	}
	line, err := bufio.NewReader(io.LimitReader(in, 2048)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input (or use --generate)")
	}
	return line, nil
}

// openAuth is in token.go.

func parseRoles(rs []string) []auth.Role {
	var out []auth.Role
	for _, r := range rs {
		out = append(out, auth.Role(strings.ToLower(strings.TrimSpace(r))))
	}
	return out
}

type userAddCmd struct {
	passwordFlags
	Role    []string `help:"Extra role beyond the directory's (repeatable): sender, approver, operator, auditor, admin. Needed for someone not in the directory, e.g. the first admin."`
	Address string   `arg:"" help:"Mail address (the sign-in name)."`
}

func (c *userAddCmd) Run(g *Globals) error {
	return withAuth(g, func(ctx context.Context, s *auth.Service) error {
		pw, err := c.password(os.Stdin, os.Stdout)
		if err != nil {
			return err
		}
		if err := s.AddAccount(ctx, c.Address, pw, parseRoles(c.Role)); err != nil {
			return err
		}
		fmt.Printf("account %s created\n", strings.ToLower(c.Address))
		return nil
	})
}

type userPasswdCmd struct {
	passwordFlags
	Address string `arg:""`
}

func (c *userPasswdCmd) Run(g *Globals) error {
	return withAuth(g, func(ctx context.Context, s *auth.Service) error {
		pw, err := c.password(os.Stdin, os.Stdout)
		if err != nil {
			return err
		}
		if err := s.SetPassword(ctx, c.Address, pw); err != nil {
			return err
		}
		fmt.Printf("password of %s set; its sessions ended\n", strings.ToLower(c.Address))
		return nil
	})
}

type userRolesCmd struct {
	Role    []string `help:"Extra role (repeatable); none clears them."`
	Address string   `arg:""`
}

func (c *userRolesCmd) Run(g *Globals) error {
	return withAuth(g, func(ctx context.Context, s *auth.Service) error {
		return s.SetRoles(ctx, c.Address, parseRoles(c.Role))
	})
}

type userDisableCmd struct {
	Address string `arg:""`
}

func (c *userDisableCmd) Run(g *Globals) error {
	return withAuth(g, func(ctx context.Context, s *auth.Service) error {
		return s.SetDisabled(ctx, c.Address, true)
	})
}

type userEnableCmd struct {
	Address string `arg:""`
}

func (c *userEnableCmd) Run(g *Globals) error {
	return withAuth(g, func(ctx context.Context, s *auth.Service) error {
		return s.SetDisabled(ctx, c.Address, false)
	})
}

type userListCmd struct {
	JSON bool `help:"One JSON object per account."`
}

func (c *userListCmd) Run(g *Globals) error {
	ctx := context.Background()
	s, db, err := openAuth(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	accts, err := s.Accounts(ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		for _, a := range accts {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tEXTRA ROLES\tSTATE\tCHANGED")
	for _, a := range accts {
		state := "active"
		switch {
		case a.Disabled:
			state = "disabled"
		case !a.LockedUntil.IsZero() && s.Now().Before(a.LockedUntil):
			state = "locked until " + a.LockedUntil.Local().Format("15:04")
		}
		var roles []string
		for _, r := range a.Roles {
			roles = append(roles, string(r))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Address, strings.Join(roles, ","), state, a.Changed.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}
