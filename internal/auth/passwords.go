package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's 2023 minimum (19 MiB, 2 passes, 1 lane),
// about 30 ms here; stored with each hash so they can be raised later.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 12

func hashPassword(pw string) string {
	salt := []byte(randomToken(16))
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// phc is a parsed argon2id hash.
type phc struct {
	m, t      uint32
	p         uint8
	salt, key []byte
}

// parsePHC reads a PHC-format argon2id hash; ok is false for anything
// malformed or with parameters beyond what misend would ever write
// (a tampered row must not make sign-in allocate gigabytes).
func parsePHC(hash string) (h phc, ok bool) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, false
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return h, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.m, &h.t, &h.p); err != nil || h.m < 8 || h.m > 256*1024 || h.t == 0 || h.t > 10 || h.p == 0 || h.p > 16 {
		return h, false
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return h, false
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return h, false
	}
	return h, true
}

// verifyPassword checks pw against a PHC-format argon2id hash in constant
// time. A malformed hash never matches.
func verifyPassword(hash, pw string) bool {
	h, ok := parsePHC(hash)
	if !ok {
		return false
	}
	got := argon2.IDKey([]byte(pw), h.salt, h.t, h.m, h.p, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// dummyHash is verified against when an account does not exist, so a wrong
// address takes as long to refuse as a wrong password.
var dummyHash = hashPassword("misend-no-such-account")

func checkPassword(pw string) error {
	if n := utf8.RuneCountInString(pw); n < MinPasswordLen {
		return fmt.Errorf("password too short: %d characters, at least %d", n, MinPasswordLen)
	}
	if len(pw) > 1024 {
		return errors.New("password longer than 1024 bytes")
	}
	return nil
}

// Account is a local sign-in account.
type Account struct {
	Address string `json:"address"`
	Roles   []Role `json:"roles,omitempty"` // extra roles beyond the directory's
	// Failures and LockedUntil are no longer kept (sign-in has no
	// lockout); they stay in the JSON for the tools that read it.
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	Disabled    bool      `json:"disabled"`
	Created     time.Time `json:"created"`
	Changed     time.Time `json:"changed"`
}

// AddAccount creates a local account for addr. addr must be in the
// directory or be given extra roles (the first admin).
func (s *Service) AddAccount(ctx context.Context, addr, password string, roles []Role) error {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if err := CheckRoles(roles); err != nil {
		return fmt.Errorf("add account %s: %w", addr, err)
	}
	if err := checkPassword(password); err != nil {
		return fmt.Errorf("add account %s: %w", addr, err)
	}
	if _, err := s.Principal(addr, roles); err != nil {
		return fmt.Errorf("add account: %w", err)
	}
	now := fmtTime(s.now())
	res, err := s.db.ExecContext(ctx, `INSERT INTO auth_accounts (address, hash, roles, created, changed) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (address) DO NOTHING`,
		addr, hashPassword(password), joinRoles(roles), now, now)
	if err != nil {
		return fmt.Errorf("add account %s: %w", addr, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("add account %s: already exists (use passwd to change the password)", addr)
	}
	return nil
}

// SetPassword replaces addr's password, clears a lockout and signs the
// account out everywhere.
func (s *Service) SetPassword(ctx context.Context, addr, password string) error {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if err := checkPassword(password); err != nil {
		return fmt.Errorf("set password for %s: %w", addr, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE auth_accounts SET hash = ?, failures = 0, locked_until = '', changed = ? WHERE address = ?`,
		hashPassword(password), fmtTime(s.now()), addr)
	if err != nil {
		return fmt.Errorf("set password for %s: %w", addr, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set password for %s: %w", addr, ErrNoAccount)
	}
	return s.EndSessionsOf(ctx, addr)
}

// SetRoles replaces the extra roles of addr's local account.
func (s *Service) SetRoles(ctx context.Context, addr string, roles []Role) error {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if err := CheckRoles(roles); err != nil {
		return fmt.Errorf("set roles of %s: %w", addr, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE auth_accounts SET roles = ?, changed = ? WHERE address = ?`, joinRoles(roles), fmtTime(s.now()), addr)
	if err != nil {
		return fmt.Errorf("set roles of %s: %w", addr, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set roles of %s: %w", addr, ErrNoAccount)
	}
	return nil
}

// SetDisabled disables or re-enables a local account; disabling signs it
// out everywhere.
func (s *Service) SetDisabled(ctx context.Context, addr string, disabled bool) error {
	addr = strings.ToLower(strings.TrimSpace(addr))
	d := 0
	if disabled {
		d = 1
	}
	res, err := s.db.ExecContext(ctx, `UPDATE auth_accounts SET disabled = ?, failures = 0, locked_until = '', changed = ? WHERE address = ?`, d, fmtTime(s.now()), addr)
	if err != nil {
		return fmt.Errorf("disable %s: %w", addr, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("disable %s: %w", addr, ErrNoAccount)
	}
	if disabled {
		return s.EndSessionsOf(ctx, addr)
	}
	return nil
}

// Accounts lists the local accounts.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT address, roles, failures, locked_until, disabled, created, changed FROM auth_accounts ORDER BY address`)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		var roles, locked, created, changed string
		var disabled int
		if err := rows.Scan(&a.Address, &roles, &a.Failures, &locked, &disabled, &created, &changed); err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		a.Roles, a.LockedUntil, a.Disabled, a.Created, a.Changed = splitRoles(roles), parseTime(locked), disabled != 0, parseTime(created), parseTime(changed)
		out = append(out, a)
	}
	return out, rows.Err()
}

// accountRoles returns the extra roles of addr's local account, if any.
func (s *Service) accountRoles(ctx context.Context, addr string) ([]Role, bool, error) {
	var roles string
	var disabled int
	err := s.db.QueryRowContext(ctx, `SELECT roles, disabled FROM auth_accounts WHERE address = ?`, addr).Scan(&roles, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return splitRoles(roles), disabled != 0, nil
}

// Login checks a password. It does the same work for every answer — an
// unknown address, a disabled account, a wrong or an overlong password
// all cost one argon2id verification — so its time tells nothing about
// who has an account. It keeps no lockout: a lockout is a weapon anyone
// can aim at a colleague. Callers slow guessing per account and per
// client with internal/backoff.
func (s *Service) Login(ctx context.Context, addr, password string) (Principal, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	var hash, roles string
	var disabled int
	err := s.db.QueryRowContext(ctx, `SELECT hash, roles, disabled FROM auth_accounts WHERE address = ?`, addr).
		Scan(&hash, &roles, &disabled)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("login: %w", err)
	}
	if !found {
		hash = dummyHash
	}
	pw, overlong := password, len(password) > 1024
	if overlong {
		pw = pw[:1024]
	}
	if ok := verifyPassword(hash, pw); !ok || !found || overlong || disabled != 0 {
		return Principal{}, ErrBadCredentials
	}
	p, err := s.Principal(addr, splitRoles(roles))
	if err != nil {
		return Principal{}, err
	}
	return s.withPrefs(ctx, p), nil
}

// HashPassword returns the argon2id hash of pw in PHC form, as local
// accounts store it; other password tables (SMTP AUTH users) use it too.
func HashPassword(pw string) string { return hashPassword(pw) }

// VerifyPassword checks pw against a hash from HashPassword in constant
// time; a malformed hash never matches. Passwords beyond 1024 bytes never
// match either, after the same work.
func VerifyPassword(hash, pw string) bool {
	overlong := len(pw) > 1024
	if overlong {
		pw = pw[:1024]
	}
	return verifyPassword(hash, pw) && !overlong
}

// IsHash reports whether s is an argon2id hash misend would write.
func IsHash(s string) bool {
	_, ok := parsePHC(s)
	return ok
}

// CheckNothing costs what Login costs and checks nothing: an answer given
// without a check (a client made to wait) then takes as long as any other.
func CheckNothing(password string) {
	if len(password) > 1024 {
		password = password[:1024]
	}
	verifyPassword(dummyHash, password)
}

// SetLang records a person's language choice ("ja", "en", or "" for the
// browser's).
func (s *Service) SetLang(ctx context.Context, addr, lang string) error {
	switch lang {
	case "", "ja", "en":
	default:
		return fmt.Errorf("language %q: want ja or en", lang)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO auth_prefs (address, lang) VALUES (?, ?) ON CONFLICT (address) DO UPDATE SET lang = excluded.lang`, addr, lang)
	if err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	return nil
}

// withPrefs applies the person's own choices over the directory's.
func (s *Service) withPrefs(ctx context.Context, p Principal) Principal {
	var lang string
	if err := s.db.QueryRowContext(ctx, `SELECT lang FROM auth_prefs WHERE address = ?`, p.Address).Scan(&lang); err == nil && lang != "" {
		p.Lang = lang
	}
	return p
}
