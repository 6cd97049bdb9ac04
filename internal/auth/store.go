package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Errors callers may test for. Sign-in failures all read the same to the
// person signing in; these tell the server's log and tests apart.
var (
	ErrBadCredentials = errors.New("auth: wrong address or password")
	// ErrLocked is kept for callers that test for it; Login no longer
	// locks accounts.
	ErrLocked        = errors.New("auth: account locked after repeated failures")
	ErrUnknownPerson = errors.New("auth: not a known person")
	ErrNoSession     = errors.New("auth: no valid session")
	ErrBadToken      = errors.New("auth: invalid or revoked token")
	ErrNoAccount     = errors.New("auth: no such account")
)

// Service authenticates people and tokens against the database and the
// current directory. It is safe for concurrent use.
type Service struct {
	db *store.DB

	mu  sync.RWMutex
	dir Directory

	// Now is the clock; tests set it.
	Now func() time.Time
	// SessionTTL is how long a session lives without sign-in; default 12h.
	SessionTTL time.Duration
}

// Open applies the auth migrations and returns a Service answering from dir
// (which may be nil until a directory is imported).
func Open(ctx context.Context, db *store.DB, dir Directory) (*Service, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("auth migrations: %w", err)
	}
	if err := db.Migrate(ctx, "auth", sub); err != nil {
		return nil, err
	}
	return &Service{db: db, dir: dir, Now: time.Now, SessionTTL: 12 * time.Hour}, nil
}

// SetDirectory swaps the directory principals are built from, e.g. after a
// directory import.
func (s *Service) SetDirectory(dir Directory) {
	s.mu.Lock()
	s.dir = dir
	s.mu.Unlock()
}

// Directory returns the directory principals are built from.
func (s *Service) Directory() Directory {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.dir
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// Principal builds the principal for addr with extra local roles.
func (s *Service) Principal(addr string, extra []Role) (Principal, error) {
	p, ok := PrincipalFor(s.Directory(), addr, extra)
	if !ok {
		return Principal{}, fmt.Errorf("%s: %w", addr, ErrUnknownPerson)
	}
	return p, nil
}

const timeFormat = time.RFC3339Nano

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

func joinRoles(rs []Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	slices.Sort(ss)
	return strings.Join(ss, ",")
}

func splitRoles(s string) []Role {
	var out []Role
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, Role(f))
		}
	}
	return out
}

// CheckRoles refuses role names the directory does not know.
func CheckRoles(rs []Role) error {
	for _, r := range rs {
		if !slices.Contains([]Role{RoleSender, RoleApprover, RoleOperator, RoleAuditor, RoleAdmin}, r) {
			return fmt.Errorf("unknown role %q (sender, approver, operator, auditor, admin)", r)
		}
	}
	return nil
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// PersonOf returns the address of the person whose address or alias addr
// is, in the directory in force; addr itself, lower-cased, when nobody
// has it. Ownership of mail compares people, not address strings.
func (s *Service) PersonOf(addr string) string {
	return directory.PersonOf(s.Directory(), addr)
}

// Current returns the principal addr acts as now: the directory in force
// and the local account's extra roles. A disabled account, or someone
// neither in the directory nor given a role, is refused: what a person
// could do when a link was mailed to them does not outlast their place.
func (s *Service) Current(ctx context.Context, addr string) (Principal, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	roles, disabled, err := s.accountRoles(ctx, addr)
	if err != nil {
		return Principal{}, fmt.Errorf("current principal of %s: %w", addr, err)
	}
	if disabled {
		return Principal{}, fmt.Errorf("%s: %w", addr, ErrNoAccount)
	}
	p, err := s.Principal(addr, roles)
	if err != nil {
		return Principal{}, err
	}
	return s.withPrefs(ctx, p), nil
}
