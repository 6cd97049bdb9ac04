// Package terms keeps the confidential-term lists of an organisation and
// checks outgoing mail against them, after Hotta et al., "実運用を考慮した電子
// メール誤送信対策" (IPSJ SIG Technical Report 2013-CSEC-60).
//
// A list belongs to a scope — the organisation, a group (a project spanning
// departments) or a department — and its terms must not leave that scope. For
// a message from department A, A's list applies when any recipient is outside
// A, each of the sender's groups' lists when any recipient is outside that
// group, and the organisation's list when any recipient is outside the
// organisation. A term has a weight in [0,1]; each scope's rule restricts a
// message when the mean weight of its matched terms reaches a threshold
// (default 0.3) or, at the operator's choice, when any term matches. Only a
// restricted scope yields a CONFIDENTIAL_TERMS finding: matches below the
// threshold are the paper's "not restricted" outcome and would only teach
// senders to ignore warnings.
//
// Matching runs on NFKC-normalised, case-folded text with all white space
// removed (so 「個 人 情 報」 matches 個人情報 and ＮＤＡ matches nda), using one
// Aho–Corasick automaton over every list. A term that begins or ends with an
// ASCII letter or digit must sit at a word boundary there, so NDA does not
// match inside "agenda".
//
// The package also finds personal data (PERSONAL_DATA: My Numbers with a
// valid check digit, payment card numbers passing Luhn with a known issuer
// prefix, and at least N phone numbers or postal addresses), reported only
// when a recipient is outside the organisation and only as counts and kinds.
//
// Related-term recommendation (paper §3.2.1) reads past mail as a two-layer
// Bayesian network: list terms are roots whose probability is their weight;
// each is linked to at most N co-occurring terms (most frequent in
// confidential mail first, after dropping terms common in non-confidential
// mail and, optionally, person names); a linked term's probability is a
// noisy-OR of its parents with P(child|parent) = co-occurrences / the
// parent's confidential mails, so P(t) = 1 − Π(1 − w_L·P(t|L)). Terms at or
// above the threshold are recommended; list terms whose own noisy-OR weight
// (their weight as the leak, other list terms as parents) is at or below the
// removal threshold become removal candidates. Synonyms come from a built-in
// thesaurus and imported ones (CSV groups, SudachiDict), weighted like their
// source but at least the recommendation threshold, which reproduces the
// paper's table 10 (厳秘 at 0.1 → 秘密, 極秘 at 0.300). Details in
// recommend.go. Change control (proposals, approvals by the scope's
// approvers, direct operator edits, all with who and when) is in changes.go.
//
// It deliberately never puts a list term into a sender-facing sentence
// (finding.Message or Suggestion); matched terms go only into Finding.Terms.
// It stores no mail bodies.
package terms

import (
	"fmt"
	"strings"
	"time"
)

// Scope names a list: "organization", "group:NAME" or "department:NAME".
type Scope string

// ScopeKind is the first part of a Scope.
type ScopeKind string

const (
	Organization ScopeKind = "organization"
	Group        ScopeKind = "group"
	Department   ScopeKind = "department"
)

// ParseScope checks s and returns it as a Scope.
func ParseScope(s string) (Scope, error) {
	s = strings.TrimSpace(s)
	if s == string(Organization) {
		return Scope(s), nil
	}
	kind, name, ok := strings.Cut(s, ":")
	if !ok || (kind != string(Group) && kind != string(Department)) {
		return "", fmt.Errorf("bad scope %q: want organization, group:NAME or department:NAME", s)
	}
	if strings.TrimSpace(name) == "" {
		return "", fmt.Errorf("bad scope %q: empty name", s)
	}
	return Scope(kind + ":" + strings.TrimSpace(name)), nil
}

// Kind returns the scope's kind.
func (s Scope) Kind() ScopeKind {
	k, _, _ := strings.Cut(string(s), ":")
	return ScopeKind(k)
}

// Name returns the department or group name; "" for the organisation.
func (s Scope) Name() string {
	_, n, _ := strings.Cut(string(s), ":")
	return n
}

// DepartmentScope and GroupScope build scopes from directory names.
func DepartmentScope(name string) Scope { return Scope("department:" + name) }
func GroupScope(name string) Scope      { return Scope("group:" + name) }

// Term is one entry of a scope's list.
type Term struct {
	Scope   Scope     `json:"scope"`
	Text    string    `json:"term"`
	Weight  float64   `json:"weight"`
	AddedBy string    `json:"added_by,omitempty"`
	AddedAt time.Time `json:"added_at"`
}

// Rule is how a scope decides that a message is restricted.
type Rule struct {
	Scope Scope `json:"scope"`
	// Any restricts on any match; otherwise the mean weight of the matched
	// terms must be at least MeanAtLeast.
	Any         bool    `json:"any"`
	MeanAtLeast float64 `json:"mean_at_least"`
}

// DefaultThreshold is the paper's restriction threshold (table 9).
const DefaultThreshold = 0.3

// Restricted applies the rule to the weights of matched terms.
func (r Rule) Restricted(weights []float64) (restricted bool, mean float64) {
	if len(weights) == 0 {
		return false, 0
	}
	var sum float64
	for _, w := range weights {
		sum += w
	}
	mean = sum / float64(len(weights))
	if r.Any {
		return true, mean
	}
	// Compare at the precision weights are shown with, so 0.3 ≥ 0.3 holds
	// despite binary floating point.
	return mean+1e-9 >= r.MeanAtLeast, mean
}

// Exception exempts a term for a scope until a time.
type Exception struct {
	Scope  Scope     `json:"scope"`
	Text   string    `json:"term"`
	Until  time.Time `json:"until"`
	By     string    `json:"by"`
	Reason string    `json:"reason,omitempty"`
}

func checkWeight(w float64) error {
	if !(w >= 0 && w <= 1) { // also rejects NaN
		return fmt.Errorf("weight %v out of [0,1]", w)
	}
	return nil
}
