package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser.
type Session struct {
	Principal Principal
	// CSRF is the session's anti-forgery token; every state-changing
	// request must carry it.
	CSRF    string
	Via     string // "password" or "oidc"
	Expires time.Time
}

// StartSession creates a session for addr and returns the cookie value.
// via says how the person signed in.
func (s *Service) StartSession(ctx context.Context, addr, via string) (cookie string, sess Session, err error) {
	cookie = randomToken(32)
	csrf := randomToken(32)
	now := s.now()
	exp := now.Add(s.SessionTTL)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO auth_sessions (id_hash, address, csrf, via, created, expires) VALUES (?, ?, ?, ?, ?, ?)`,
		sha(cookie), addr, csrf, via, fmtTime(now), fmtTime(exp)); err != nil {
		return "", Session{}, fmt.Errorf("start session: %w", err)
	}
	// Expired sessions are swept here rather than by a timer: sign-ins are
	// rare enough and this keeps the table small.
	s.db.ExecContext(ctx, `DELETE FROM auth_sessions WHERE expires < ?`, fmtTime(now))
	sess, err = s.Session(ctx, cookie)
	return cookie, sess, err
}

// Session returns the live session named by a cookie value. The principal
// is rebuilt from the current directory on every request, so role changes
// apply at once and a person removed from the directory is signed out.
func (s *Service) Session(ctx context.Context, cookie string) (Session, error) {
	if cookie == "" || len(cookie) > 100 {
		return Session{}, ErrNoSession
	}
	var sess Session
	var addr, exp string
	err := s.db.QueryRowContext(ctx, `SELECT address, csrf, via, expires FROM auth_sessions WHERE id_hash = ?`, sha(cookie)).
		Scan(&addr, &sess.CSRF, &sess.Via, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	sess.Expires = parseTime(exp)
	if !s.now().Before(sess.Expires) {
		return Session{}, ErrNoSession
	}
	roles, disabled, err := s.accountRoles(ctx, addr)
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	if disabled {
		return Session{}, ErrNoSession
	}
	p, err := s.Principal(addr, roles)
	if err != nil {
		return Session{}, ErrNoSession
	}
	sess.Principal = s.withPrefs(ctx, p)
	return sess, nil
}

// EndSession signs a browser out.
func (s *Service) EndSession(ctx context.Context, cookie string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM auth_sessions WHERE id_hash = ?`, sha(cookie)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// EndSessionsOf signs addr out everywhere.
func (s *Service) EndSessionsOf(ctx context.Context, addr string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM auth_sessions WHERE address = ?`, addr); err != nil {
		return fmt.Errorf("end sessions of %s: %w", addr, err)
	}
	return nil
}
