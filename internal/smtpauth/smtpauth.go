// Package smtpauth checks the gateway's SMTP AUTH logins against an auth
// file of "user:hash" lines, the hash an argon2id PHC string as the web
// UI's local accounts keep (internal/auth). A file copied off the server
// then yields no password.
//
// Older files hold clear passwords ("user:password"). They still load —
// hashed in memory at once — with a loud warning at every start, and
// `misend smtp-user hash` rewrites such a file in place. Refusing them
// would stop mail on upgrade; accepting them silently would keep them
// forever.
//
// Guessing is slowed per user and per client address (internal/backoff),
// and every answer costs one argon2id verification, so neither a refusal
// nor its time tells which users exist.
package smtpauth

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"net"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/backoff"
)

// Errors from Authenticate.
var (
	ErrBadCredentials = errors.New("smtpauth: wrong user or password")
	// ErrWait means the user or the client failed too often lately: try
	// again later. Wrapped in a *WaitError saying how long.
	ErrWait = errors.New("smtpauth: too many failures, try again later")
)

// WaitError says how long a user or client must wait.
type WaitError struct{ After time.Duration }

func (e *WaitError) Error() string {
	return fmt.Sprintf("%v (in %v)", ErrWait, e.After.Round(time.Second))
}
func (e *WaitError) Unwrap() error { return ErrWait }

// Users is a loaded auth file. Safe for concurrent use.
type Users struct {
	hashes map[string]string
	// Clear names the users whose password the file holds in clear.
	Clear []string

	users, clients *backoff.Limiter
}

// Parse reads an auth file's content; name is for messages.
func Parse(name string, b []byte) (*Users, error) {
	u := &Users{
		hashes: map[string]string{},
		// A mail client retrying a stale password is slowed within a
		// minute; one address guessing for many users within ten.
		users:   backoff.New(5, time.Second, time.Minute),
		clients: backoff.New(20, 2*time.Second, 10*time.Minute),
	}
	n := 0
	for raw := range lines(b) {
		n++
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, secret, ok := strings.Cut(line, ":")
		if !ok || user == "" || secret == "" {
			return nil, fmt.Errorf("auth file %s line %d: want user:hash (misend smtp-user add)", name, n)
		}
		if _, dup := u.hashes[user]; dup {
			return nil, fmt.Errorf("auth file %s line %d: user %s listed twice", name, n, user)
		}
		if !auth.IsHash(secret) {
			u.Clear = append(u.Clear, user)
			secret = auth.HashPassword(secret)
		}
		u.hashes[user] = secret
	}
	if len(u.hashes) == 0 {
		return nil, fmt.Errorf("auth file %s has no users", name)
	}
	return u, nil
}

// Authenticate checks user's password from client. A user or client that
// failed too often waits (a *WaitError); a wrong user or password is
// ErrBadCredentials, after the same work.
func (u *Users) Authenticate(user, password string, client net.IP) error {
	ip := client.String()
	if wait := max(u.users.Wait(user), u.clients.Wait(ip)); wait > 0 {
		auth.CheckNothing(password)
		return &WaitError{After: wait}
	}
	hash, ok := u.hashes[user]
	if !ok {
		auth.CheckNothing(password)
	} else if auth.VerifyPassword(hash, password) {
		u.users.Succeed(user)
		return nil
	}
	u.users.Fail(user)
	u.clients.Fail(ip)
	return ErrBadCredentials
}

// Line returns the auth-file line for user with password, hashed.
func Line(user, password string) (string, error) {
	if user == "" || strings.ContainsAny(user, ":\r\n") {
		return "", fmt.Errorf("user %q: empty or contains ':' or a line break", user)
	}
	if len(password) < 12 {
		return "", errors.New("password shorter than 12 characters")
	}
	return user + ":" + auth.HashPassword(password), nil
}

// Rehash rewrites an auth file's content with every clear password hashed,
// keeping comments, order and existing hashes; n is how many it hashed.
func Rehash(b []byte) (out []byte, n int) {
	var w bytes.Buffer
	for line := range lines(b) {
		t := strings.TrimSpace(line)
		if user, secret, ok := strings.Cut(t, ":"); ok && user != "" && secret != "" && !strings.HasPrefix(t, "#") && !auth.IsHash(secret) {
			line = user + ":" + auth.HashPassword(secret)
			n++
		}
		w.WriteString(line)
		w.WriteByte('\n')
	}
	return w.Bytes(), n
}

// lines yields b's lines without their line ends. Unlike a bufio.Scanner
// it has no longest line: a line past one would end the loop early, and
// Rehash would write the file back without the users after it.
func lines(b []byte) iter.Seq[string] {
	return func(yield func(string) bool) {
		for l := range bytes.Lines(b) {
			if !yield(strings.TrimSuffix(strings.TrimSuffix(string(l), "\n"), "\r")) {
				return
			}
		}
	}
}
