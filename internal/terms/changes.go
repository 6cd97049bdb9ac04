package terms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/directory"
)

// Action is what a change does to a list.
type Action string

const (
	ActionAdd      Action = "add"
	ActionReweight Action = "reweight"
	ActionRemove   Action = "remove"
)

// Status is where a change stands.
type Status string

const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
	StatusDirect   Status = "direct" // an operator's direct edit (add/remove)
)

// Change is one proposed or applied edit of a list, with who and when.
type Change struct {
	ID           int64     `json:"id"`
	Scope        Scope     `json:"scope"`
	Action       Action    `json:"action"`
	Term         string    `json:"term"`
	Weight       float64   `json:"weight,omitempty"`
	Note         string    `json:"note,omitempty"`
	ProposedBy   string    `json:"proposed_by"`
	ProposedAt   time.Time `json:"proposed_at"`
	Status       Status    `json:"status"`
	DecidedBy    string    `json:"decided_by,omitempty"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
	DecisionNote string    `json:"decision_note,omitempty"`
}

// Authority tells who may propose and who may decide. *directory.Directory
// implements it.
type Authority interface {
	HasRole(addr string, role directory.Role) bool
	ApproversOfScope(scope string) []string
}

// ErrNotAllowed is returned when someone acts outside their role.
var ErrNotAllowed = errors.New("not allowed")

// ErrOwnChange is returned when the proposer of a change tries to approve
// it: a list change needs a second person, as held mail does. It is also
// an ErrNotAllowed.
var ErrOwnChange = fmt.Errorf("%w: a change is approved by someone other than its proposer", ErrNotAllowed)

// samePerson reports whether a and b are one person: the same address, or
// addresses of one person in the directory (an alias is its owner), when
// auth can tell.
func samePerson(auth Authority, a, b string) bool {
	if strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) {
		return true
	}
	people, ok := auth.(interface {
		Person(addr string) (directory.Person, bool)
	})
	if !ok {
		return false
	}
	pa, okA := people.Person(a)
	pb, okB := people.Person(b)
	return okA && okB && pa.Address == pb.Address
}

func checkTerm(term string) error {
	if Normalize(term) == "" {
		return errors.New("empty term")
	}
	if len(term) > 200 {
		return errors.New("term longer than 200 bytes")
	}
	return nil
}

// apply makes a direct change and records it, in one transaction.
func (s *Store) apply(ctx context.Context, c Change) error {
	if err := checkTerm(c.Term); err != nil {
		return fmt.Errorf("%s %q: %w", c.Action, c.Term, err)
	}
	now := s.now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s %q: %w", c.Action, c.Term, err)
	}
	defer tx.Rollback()
	if err := applyTx(ctx, tx, c, now); err != nil {
		return fmt.Errorf("%s %q on %s: %w", c.Action, c.Term, c.Scope, err)
	}
	c.ProposedAt, c.DecidedBy, c.DecidedAt = now, c.ProposedBy, now
	if _, err := insertChange(ctx, tx, c); err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

func insertChange(ctx context.Context, tx *sql.Tx, c Change) (int64, error) {
	var w any
	if c.Action != ActionRemove {
		w = c.Weight
	}
	decided := ""
	if !c.DecidedAt.IsZero() {
		decided = fmtTime(c.DecidedAt)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO terms_changes (scope, action, term, weight, note, proposed_by, proposed_at, status, decided_by, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(c.Scope), string(c.Action), c.Term, w, c.Note, c.ProposedBy, fmtTime(c.ProposedAt), string(c.Status), c.DecidedBy, decided).Scan(&id)
	return id, err
}

// Propose records an operator's proposal to add, re-weight or remove a term.
// It changes no list until the scope's approver approves it.
func (s *Store) Propose(ctx context.Context, auth Authority, c Change) (int64, error) {
	if c.ProposedBy == "" {
		return 0, errors.New("propose: who proposes? (--by)")
	}
	if auth != nil && !auth.HasRole(c.ProposedBy, directory.RoleOperator) && !auth.HasRole(c.ProposedBy, directory.RoleAdmin) {
		return 0, fmt.Errorf("propose: %s is not an operator: %w", c.ProposedBy, ErrNotAllowed)
	}
	if err := checkTerm(c.Term); err != nil {
		return 0, fmt.Errorf("propose %q: %w", c.Term, err)
	}
	switch c.Action {
	case ActionAdd, ActionReweight:
		if err := checkWeight(c.Weight); err != nil {
			return 0, fmt.Errorf("propose %q: %w", c.Term, err)
		}
	case ActionRemove:
	default:
		return 0, fmt.Errorf("propose: unknown action %q (add, reweight, remove)", c.Action)
	}
	c.Status, c.ProposedAt = StatusPending, s.now()
	c.DecidedBy, c.DecidedAt = "", time.Time{}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("propose: %w", err)
	}
	defer tx.Rollback()
	id, err := insertChange(ctx, tx, c)
	if err != nil {
		return 0, fmt.Errorf("propose: %w", err)
	}
	return id, tx.Commit()
}

// Approve applies pending change id; by must be an approver of its scope.
func (s *Store) Approve(ctx context.Context, auth Authority, id int64, by, note string) (Change, error) {
	return s.decide(ctx, auth, id, by, note, StatusApproved)
}

// Reject closes pending change id without applying it.
func (s *Store) Reject(ctx context.Context, auth Authority, id int64, by, note string) (Change, error) {
	return s.decide(ctx, auth, id, by, note, StatusRejected)
}

func (s *Store) decide(ctx context.Context, auth Authority, id int64, by, note string, st Status) (Change, error) {
	verb := map[Status]string{StatusApproved: "approve", StatusRejected: "reject"}[st]
	if by == "" {
		return Change{}, fmt.Errorf("%s: who decides? (--by)", verb)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Change{}, fmt.Errorf("%s %d: %w", verb, id, err)
	}
	defer tx.Rollback()
	c, err := scanChange(tx.QueryRowContext(ctx, changeSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Change{}, fmt.Errorf("%s %d: no such change", verb, id)
	}
	if err != nil {
		return Change{}, fmt.Errorf("%s %d: %w", verb, id, err)
	}
	if c.Status != StatusPending {
		return c, fmt.Errorf("%s %d: already %s by %s", verb, id, c.Status, c.DecidedBy)
	}
	if auth == nil {
		return c, fmt.Errorf("%s %d: no directory to tell the approvers of %s: %w", verb, id, c.Scope, ErrNotAllowed)
	}
	approvers := auth.ApproversOfScope(string(c.Scope))
	if !slices.Contains(approvers, strings.ToLower(by)) {
		return c, fmt.Errorf("%s %d: %s is not an approver of %s (approvers: %s): %w", verb, id, by, c.Scope, strings.Join(approvers, ", "), ErrNotAllowed)
	}
	// Four eyes: withdrawing one's own proposal is fine, approving it is
	// not (item 9 of issue 12).
	if st == StatusApproved && samePerson(auth, by, c.ProposedBy) {
		return c, fmt.Errorf("approve %d: %s proposed it: %w", id, by, ErrOwnChange)
	}
	now := s.now()
	if st == StatusApproved {
		if err := applyTx(ctx, tx, c, now); err != nil {
			return c, fmt.Errorf("approve %d: %w", id, err)
		}
		if err := bumpGeneration(ctx, tx); err != nil {
			return c, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE terms_changes SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?`,
		string(st), by, fmtTime(now), note, id); err != nil {
		return c, fmt.Errorf("%s %d: %w", verb, id, err)
	}
	c.Status, c.DecidedBy, c.DecidedAt, c.DecisionNote = st, by, now, note
	return c, tx.Commit()
}

const changeSelect = `SELECT id, scope, action, term, weight, note, proposed_by, proposed_at, status, decided_by, decided_at, decision_note FROM terms_changes`

type rowScanner interface{ Scan(dest ...any) error }

func scanChange(r rowScanner) (Change, error) {
	var c Change
	var sc, act, st, pat, dat string
	var w sql.NullFloat64
	if err := r.Scan(&c.ID, &sc, &act, &c.Term, &w, &c.Note, &c.ProposedBy, &pat, &st, &c.DecidedBy, &dat, &c.DecisionNote); err != nil {
		return c, err
	}
	c.Scope, c.Action, c.Status, c.Weight = Scope(sc), Action(act), Status(st), w.Float64
	c.ProposedAt = parseTime(pat)
	if dat != "" {
		c.DecidedAt = parseTime(dat)
	}
	return c, nil
}

// Changes returns the change history, newest last; only pending ones when
// pendingOnly.
func (s *Store) Changes(ctx context.Context, scope Scope, pendingOnly bool) ([]Change, error) {
	q := changeSelect + ` WHERE 1=1`
	var args []any
	if scope != "" {
		q += ` AND scope = ?`
		args = append(args, string(scope))
	}
	if pendingOnly {
		q += ` AND status = 'pending'`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
