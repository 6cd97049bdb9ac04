package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// tokenPrefix marks misend API tokens, so secret scanners and people can
// recognise one in a log or a paste.
const tokenPrefix = "msd_"

// Token describes an API token; the secret itself is shown once, at
// creation, and never stored.
type Token struct {
	ID       int64     `json:"id"`
	Address  string    `json:"address"`
	Name     string    `json:"name"`
	Roles    []Role    `json:"roles,omitempty"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires,omitzero"`
	Revoked  time.Time `json:"revoked,omitzero"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// CreateToken makes an API token acting as addr, named name, valid until
// expires (zero: no expiry). roles are extra roles as for local accounts;
// the token never carries more than the person plus these. The secret is
// returned once.
func (s *Service) CreateToken(ctx context.Context, addr, name string, roles []Role, expires time.Time) (secret string, t Token, err error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if err := CheckRoles(roles); err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	if _, err := s.Principal(addr, roles); err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	if strings.TrimSpace(name) == "" {
		return "", Token{}, errors.New("create token: a name saying what it is for is required")
	}
	secret = tokenPrefix + randomToken(32)
	now := s.now()
	var id int64
	err = s.db.QueryRowContext(ctx, `INSERT INTO auth_tokens (hash, address, name, roles, created, expires) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		sha(secret), addr, name, joinRoles(roles), fmtTime(now), fmtTime(expires)).Scan(&id)
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	return secret, Token{ID: id, Address: addr, Name: name, Roles: roles, Created: now, Expires: expires}, nil
}

// RevokeToken revokes token id; revoking twice is not an error.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE auth_tokens SET revoked = ? WHERE id = ? AND revoked = ''`, fmtTime(s.now()), id)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		if err := s.db.QueryRowContext(ctx, `SELECT 1 FROM auth_tokens WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("revoke token %d: no such token", id)
		}
	}
	return nil
}

// Tokens lists tokens (revoked ones too), newest first; addr "" lists all.
func (s *Service) Tokens(ctx context.Context, addr string) ([]Token, error) {
	q := `SELECT id, address, name, roles, created, expires, revoked, last_used FROM auth_tokens`
	var args []any
	if addr != "" {
		q += ` WHERE address = ?`
		args = append(args, strings.ToLower(addr))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var roles, created, expires, revoked, used string
		if err := rows.Scan(&t.ID, &t.Address, &t.Name, &roles, &created, &expires, &revoked, &used); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.Roles, t.Created, t.Expires, t.Revoked, t.LastUsed = splitRoles(roles), parseTime(created), parseTime(expires), parseTime(revoked), parseTime(used)
		out = append(out, t)
	}
	return out, rows.Err()
}

// AuthenticateToken returns the principal a bearer token acts for. The
// principal is built from the current directory, so a person who left the
// directory loses their tokens' rights at once.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return Principal{}, ErrBadToken
	}
	var id int64
	var addr, roles, expires, revoked, used string
	err := s.db.QueryRowContext(ctx, `SELECT id, address, roles, expires, revoked, last_used FROM auth_tokens WHERE hash = ?`, sha(secret)).
		Scan(&id, &addr, &roles, &expires, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, ErrBadToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	now := s.now()
	if revoked != "" || expires != "" && !now.Before(parseTime(expires)) {
		return Principal{}, ErrBadToken
	}
	p, err := s.Principal(addr, splitRoles(roles))
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	// last_used is advisory and written at most once a minute, so a busy
	// add-in does not turn every check into a database write; a failure to
	// record it must not refuse the call.
	if now.Sub(parseTime(used)) >= time.Minute {
		s.db.ExecContext(ctx, `UPDATE auth_tokens SET last_used = ? WHERE id = ?`, fmtTime(now), id)
	}
	return p, nil
}
