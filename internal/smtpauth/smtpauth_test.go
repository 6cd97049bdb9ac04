package smtpauth

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/misend/misend/internal/auth"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct{ name, file, err string }{
		{"empty", "# nobody\n", "no users"},
		{"no colon", "mta\n", "line 1"},
		{"twice", "a:" + auth.HashPassword("x") + "\na:y\n", "twice"},
	} {
		if _, err := Parse("f", []byte(tc.file)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
		}
	}
}

// Rehash hashes clear passwords in place and keeps everything else.
func TestRehash(t *testing.T) {
	h := auth.HashPassword("already hashed")
	in := "# relay users\nmta:s3cret-password\n\nold:" + h + "\n"
	out, n := Rehash([]byte(in))
	if n != 1 || strings.Contains(string(out), "s3cret-password") || !strings.Contains(string(out), "old:"+h) || !strings.HasPrefix(string(out), "# relay users\n") {
		t.Fatalf("rehash %d:\n%s", n, out)
	}
	u, err := Parse("f", out)
	if err != nil || len(u.Clear) != 0 || u.Authenticate("mta", "s3cret-password", net.IPv4(192, 0, 2, 1)) != nil {
		t.Fatalf("rehashed file: %v %+v", err, u)
	}
	if _, n := Rehash(out); n != 0 {
		t.Errorf("a second rehash hashed %d", n)
	}
	// A line longer than a bufio.Scanner takes must not end the file:
	// rewritten, the users after it would be gone.
	long := "# " + strings.Repeat("x", 100_000) + "\nmta:" + h + "\r\nlast:" + h + "\n"
	if out, n := Rehash([]byte(long)); n != 0 || string(out) != strings.Replace(long, "\r\n", "\n", 1) {
		t.Errorf("rehash of a file with a long comment changed it (%d hashed, %d octets of %d)", n, len(out), len(long))
	}
	if u, err := Parse("f", []byte(long)); err != nil || len(u.hashes) != 2 {
		t.Errorf("parse of a file with a long comment: %v", err)
	}
	if l, err := Line("mta", "short"); err == nil {
		t.Errorf("short password accepted: %s", l)
	}
	if _, err := Line("a:b", "long enough password"); err == nil {
		t.Error("a user with ':' accepted")
	}
}

// One client guessing for many users is slowed, whoever the users are.
func TestBackoffPerClient(t *testing.T) {
	u, err := Parse("f", []byte("mta:"+auth.HashPassword("correct horse battery")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	guesser, other := net.IPv4(198, 51, 100, 1), net.IPv4(198, 51, 100, 2)
	for i := range 21 {
		if err := u.Authenticate(fmt.Sprintf("user%d", i), "guess", guesser); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	var we *WaitError
	if err := u.Authenticate("mta", "correct horse battery", guesser); !errors.As(err, &we) || !errors.Is(err, ErrWait) {
		t.Fatalf("after 21 failures: %v", err)
	}
	if err := u.Authenticate("mta", "correct horse battery", other); err != nil {
		t.Errorf("another client: %v", err)
	}
}
