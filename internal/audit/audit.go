// Package audit keeps misend's audit log: who viewed a held message's body,
// who released, rejected, confirmed or cancelled what, who changed a term
// list or the policy, who signed in. Entries are written synchronously,
// before the action they record is shown or takes effect, so nothing a
// person sees goes unrecorded, and are read back with filters for the
// audit page.
//
// It deliberately stores no message content: an entry names a message by
// its queue ID and sender, never its body or confidential-list terms.
package audit

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Actions recorded by misend. Action is a free string so new callers need
// no change here; these are the ones the pages filter on.
const (
	SignIn        = "sign-in"
	SignInFailed  = "sign-in-failed"
	SignOut       = "sign-out"
	ViewBody      = "view-body"
	Confirm       = "confirm-recipient"
	Drop          = "drop-recipient"
	Cancel        = "cancel"
	Release       = "release"
	Reject        = "reject"
	TermPropose   = "term-propose"
	TermApprove   = "term-approve"
	TermReject    = "term-reject"
	DirImport     = "directory-import"
	SetLanguage   = "set-language"
	TokenCreate   = "token-create"
	TokenRevoke   = "token-revoke"
	AccountChange = "account-change"
	PolicyChange  = "policy-change"
	// Purge is the retention sweep ending waiting mail nobody decided
	// on in time (held.Purged).
	Purge = "purge"
	// What misend itself does to held mail nobody decided on in time
	// (package approval); the actor is held.System.
	Escalate = "escalate"
	Return   = "return"
	Expire   = "expire"
)

// Actions lists the known actions, for filters.
var Actions = []string{SignIn, SignInFailed, SignOut, ViewBody, Confirm, Drop, Cancel, Release, Reject,
	TermPropose, TermApprove, TermReject, DirImport, SetLanguage, TokenCreate, TokenRevoke, AccountChange, PolicyChange, Prune, Purge, Escalate, Return, Expire}

// Entry is one audit record.
type Entry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`          // who (address), "" never
	Role   string    `json:"role,omitempty"` // in which capacity
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"` // e.g. a queue ID or a scope
	// About says what Target is for people: a held message's subject and
	// sender ("subject\x1fsender"; see AboutMessage). Empty in entries
	// written before it was kept.
	About      string `json:"about,omitempty"`
	Department string `json:"department,omitempty"` // the department concerned
	Detail     string `json:"detail,omitempty"`     // e.g. a recipient, a comment
	Remote     string `json:"remote,omitempty"`     // client address
}

// Log is the audit log.
type Log struct {
	db  *store.DB
	now func() time.Time
}

// Open applies the audit migrations and returns the log.
func Open(ctx context.Context, db *store.DB) (*Log, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("audit migrations: %w", err)
	}
	if err := db.Migrate(ctx, "audit", sub); err != nil {
		return nil, err
	}
	return &Log{db: db, now: time.Now}, nil
}

// SetClock replaces the clock (tests).
func (l *Log) SetClock(now func() time.Time) { l.now = now }

// limits keep one entry small whatever a caller passes in.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Record appends e and returns once it is stored. At defaults to now.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if e.Actor == "" || e.Action == "" {
		return errors.New("audit: entry needs an actor and an action")
	}
	if e.At.IsZero() {
		e.At = l.now()
	}
	_, err := l.db.ExecContext(ctx, `INSERT INTO audit_log (at, actor, role, action, target, department, detail, remote, about) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.UnixMilli(), clip(e.Actor, 320), clip(e.Role, 40), clip(e.Action, 60), clip(e.Target, 400), clip(e.Department, 200), clip(e.Detail, 2000), clip(e.Remote, 100), clip(e.About, 600))
	if err != nil {
		return fmt.Errorf("audit: record %s by %s: %w", e.Action, e.Actor, err)
	}
	return nil
}

// BodyReads returns the hook held.Service calls before showing a body
// (server.Options.AuditBody): the read is stored, or the body is not shown.
func (l *Log) BodyReads() func(ctx context.Context, r held.BodyRead) error {
	return func(ctx context.Context, r held.BodyRead) error {
		detail := "sender " + r.Sender
		if r.Reader.Reason != "" {
			detail += "; " + r.Reader.Reason
		}
		return l.Record(ctx, Entry{At: r.At, Actor: r.Reader.Addr, Role: r.Reader.Role, Action: ViewBody, Target: r.ID, Department: r.Department, Detail: detail,
			About: AboutMessage(r.Subject, r.Sender)})
	}
}

// HeldActions returns the hook held.Service calls before an action on
// waiting mail takes effect (server.Options.AuditAction): the action is
// stored, or it is not taken. Web, API and link actions all come through
// it.
func (l *Log) HeldActions() func(ctx context.Context, r held.ActionRecord) error {
	return func(ctx context.Context, r held.ActionRecord) error {
		detail := r.Detail
		if r.Via == "link" {
			// A link's holder is whoever has the mail; say so.
			detail = strings.TrimPrefix(detail+"; via link", "; ")
		}
		return l.Record(ctx, Entry{At: r.At, Actor: r.By, Role: r.Role, Action: heldAction(r.Action), Target: r.ID,
			Department: r.Department, Detail: detail, Remote: r.Remote, About: AboutMessage(r.Subject, r.Sender)})
	}
}

// heldAction names a held.Action as the audit log always has.
func heldAction(a held.Action) string {
	switch a {
	case held.Confirmed:
		return Confirm
	case held.Dropped:
		return Drop
	case held.Released:
		return Release
	case held.Cancelled:
		return Cancel
	case held.Rejected:
		return Reject
	case held.Purged:
		return Purge
	}
	return string(a)
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	Actor      string // exact address
	Action     string
	Target     string
	Department string
	Since      time.Time // inclusive
	Until      time.Time // exclusive
	// Before pages backwards: only entries with a smaller ID.
	Before int64
	Limit  int // default 100, at most 1000
}

// Query returns matching entries, newest first.
func (l *Log) Query(ctx context.Context, f Filter) ([]Entry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.Actor != "" {
		add("actor = ?", strings.ToLower(strings.TrimSpace(f.Actor)))
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Target != "" {
		add("target = ?", f.Target)
	}
	if f.Department != "" {
		add("department = ?", f.Department)
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until.UnixMilli())
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	q := `SELECT id, at, actor, role, action, target, department, detail, remote, about FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Role, &e.Action, &e.Target, &e.Department, &e.Detail, &e.Remote, &e.About); err != nil {
			return nil, fmt.Errorf("audit: query: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// AboutMessage is an entry's About for a held message.
func AboutMessage(subject, sender string) string {
	if subject == "" && sender == "" {
		return ""
	}
	// The unit separator, not NUL: PostgreSQL text holds no NUL. Control
	// characters are taken out of the subject, so the last separator is
	// the one AboutMessage put there.
	subject = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, subject)
	return strings.Join(strings.Fields(subject), " ") + aboutSep + sender
}

const aboutSep = "\x1f"

// SplitAbout returns the subject and sender an About of AboutMessage names.
func SplitAbout(about string) (subject, sender string, ok bool) {
	i := strings.LastIndex(about, aboutSep)
	if i < 0 {
		return about, "", false
	}
	return about[:i], about[i+len(aboutSep):], true
}
