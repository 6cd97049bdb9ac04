package gateway

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/smtpauth"
)

// plainUsers is an Authenticator of user → clear-text password pairs.
type plainUsers map[string]string

func (u plainUsers) Authenticate(user, password string, _ net.IP) error {
	want, ok := u[user]
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(password)) != 1 {
		return errors.New("invalid credentials")
	}
	return nil
}

// AUTH against a hashed auth file, through real SMTP sessions: the right
// password sends, a wrong one is 535, and after a run of wrong passwords
// for one user the answer is a temporary 454 — for a user that exists and
// one that does not alike — while other users still get in (item 8 of
// issue 12).
func TestAuthHashedFileWithBackoff(t *testing.T) {
	cert, pool := selfSigned(t)
	users, err := smtpauth.Parse("users", []byte("# relay users\nmta:"+auth.HashPassword("correct horse battery")+"\nlegacy:clear-text-password\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(users.Clear) != 1 || users.Clear[0] != "legacy" {
		t.Fatalf("clear-text users %v", users.Clear)
	}
	q, _ := queue.Open(t.TempDir())
	addr := start(t, Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Auth: users}, fixed{v: policy.Pass}, q)
	login := func(user, pw string) error {
		t.Helper()
		c, err := smtp.DialStartTLS(addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Auth(sasl.NewPlainClient("", user, pw)); err != nil {
			return err
		}
		return c.SendMail("a@corp.example", []string{"b@x.example"}, strings.NewReader(msg))
	}
	if err := login("mta", "correct horse battery"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := login("legacy", "clear-text-password"); err != nil {
		t.Fatalf("a clear-text entry (deprecated) still works: %v", err)
	}
	for _, user := range []string{"mta", "nobody"} {
		var codes []int
		for range 7 {
			codes = append(codes, code(login(user, "wrong password!")))
		}
		want := []int{535, 535, 535, 535, 535, 535, 454}
		if !slices.Equal(codes, want) {
			t.Errorf("%s: wrong passwords answered %v, want %v", user, codes, want)
		}
	}
	if err := login("legacy", "clear-text-password"); err != nil {
		t.Errorf("another user held up: %v", err)
	}
}
