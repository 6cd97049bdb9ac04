package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/misend/misend/internal/keyfile"
	"github.com/misend/misend/internal/smtpauth"
)

// smtpUserCmd keeps the gateway's AUTH file (serve --auth-file): one
// "user:hash" line per user, argon2id as the web UI's accounts.
type smtpUserCmd struct {
	Add  smtpUserAddCmd  `cmd:"" help:"Add a user to an SMTP AUTH file, its password hashed (read from standard input, or --generate)."`
	Hash smtpUserHashCmd `cmd:"" help:"Rewrite an SMTP AUTH file in place with every clear-text password hashed."`
}

type smtpUserAddCmd struct {
	passwordFlags
	File string `help:"The AUTH file (created mode 600 if missing)." required:"" type:"path"`
	User string `arg:"" help:"The AUTH user name."`
}

func (c *smtpUserAddCmd) Run() error {
	old, err := readAuthFile(c.File)
	if err != nil {
		return err
	}
	for _, l := range strings.Split(string(old), "\n") {
		if u, _, ok := strings.Cut(strings.TrimSpace(l), ":"); ok && u == c.User {
			return fmt.Errorf("%s: user %s is there already", c.File, c.User)
		}
	}
	pw, err := c.password(os.Stdin, os.Stdout)
	if err != nil {
		return err
	}
	line, err := smtpauth.Line(c.User, pw)
	if err != nil {
		return err
	}
	if len(old) > 0 && !strings.HasSuffix(string(old), "\n") {
		old = append(old, '\n')
	}
	if err := writeAuthFile(c.File, append(old, line+"\n"...)); err != nil {
		return err
	}
	fmt.Printf("user %s added to %s\n", c.User, c.File)
	return nil
}

type smtpUserHashCmd struct {
	File string `arg:"" help:"The AUTH file to rewrite." type:"existingfile"`
}

func (c *smtpUserHashCmd) Run() error {
	old, err := keyfile.Read(c.File)
	if err != nil {
		return fmt.Errorf("auth file: %w", err)
	}
	out, n := smtpauth.Rehash(old)
	if n == 0 {
		fmt.Printf("%s: no clear-text passwords\n", c.File)
		return nil
	}
	if err := writeAuthFile(c.File, out); err != nil {
		return err
	}
	fmt.Printf("%s: %d passwords hashed\n", c.File, n)
	return nil
}

// readAuthFile reads an AUTH file that may not exist yet.
func readAuthFile(path string) ([]byte, error) {
	b, err := keyfile.Read(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth file: %w", err)
	}
	return b, nil
}

// writeAuthFile replaces path with b, mode 600, atomically: a reader never
// sees half a file, and a crash leaves the old one.
func writeAuthFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".misend-auth-*")
	if err != nil {
		return fmt.Errorf("auth file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("auth file: %w", err)
	}
	if _, err := io.Copy(tmp, strings.NewReader(string(b))); err != nil {
		tmp.Close()
		return fmt.Errorf("auth file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("auth file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("auth file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("auth file: %w", err)
	}
	return nil
}
