package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// misend smtp-user add writes hashed lines to a mode-600 file, and hash
// converts an old clear-text file in place; serve reads both.
func TestSMTPUserCommands(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "smtp-users")
	const pw = "correct horse battery"
	if err := withStdin(t, pw+"\n", func() error { return (&smtpUserAddCmd{File: f, User: "mta"}).Run() }); err != nil {
		t.Fatal(err)
	}
	if err := withStdin(t, pw+"\n", func() error { return (&smtpUserAddCmd{File: f, User: "mta"}).Run() }); err == nil {
		t.Error("the same user added twice")
	}
	fi, _ := os.Stat(f)
	b, _ := os.ReadFile(f)
	if fi.Mode().Perm() != 0o600 || strings.Contains(string(b), pw) || !strings.HasPrefix(string(b), "mta:$argon2id$") {
		t.Fatalf("auth file mode %v:\n%s", fi.Mode().Perm(), b)
	}

	old := filepath.Join(dir, "old-users")
	os.WriteFile(old, []byte("# relay\nlegacy:clear-text-password\nmta:"+strings.TrimPrefix(strings.TrimSpace(string(b)), "mta:")+"\n"), 0o600)
	u, err := readUsers(old)
	if err != nil || len(u.Clear) != 1 {
		t.Fatalf("old file: %v %+v", err, u)
	}
	if err := (&smtpUserHashCmd{File: old}).Run(); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(old)
	if strings.Contains(string(b), "clear-text-password") || !strings.HasPrefix(string(b), "# relay\n") {
		t.Fatalf("after hash:\n%s", b)
	}
	u, err = readUsers(old)
	lo := net.IPv4(127, 0, 0, 1)
	if err != nil || len(u.Clear) != 0 || u.Authenticate("legacy", "clear-text-password", lo) != nil || u.Authenticate("mta", pw, lo) != nil {
		t.Fatalf("hashed file: %v %+v", err, u)
	}
}
