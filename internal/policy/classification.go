package policy

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/misend/misend/internal/finding"
)

// Classification says what the organisation's classification labels mean:
//
//	[policy.classification]
//	labels = { "社外秘" = "機密", "Confidential" = "機密", "2096f6a2-d2f7-48be-b329-b73aaa526e5d" = "極秘" }
//	scopes = { "社内限定" = "organization", "機密" = "organization", "極秘" = "department" }
//
// Labels maps a label to a level: a tag as written in a subject or a file
// name (【社外秘】, [Confidential]), or a Microsoft Purview label's name or
// GUID. Scopes says how far mail of a level may go: "organization" (no
// recipient outside the organisation) or "department" (no recipient
// outside the sender's department); a level without a scope (公開) goes
// anywhere. Both are merged over DefaultClassification entry by entry, so
// an operator adds labels without repeating the common ones, and turns one
// off by mapping it to 公開.
//
// The verdict for a labelled message leaving its scope is the level's in
// Rules.Levels, per department.
type Classification struct {
	Labels map[string]string `toml:"labels,omitempty"`
	Scopes map[string]string `toml:"scopes,omitempty"`
}

// The levels misend knows without configuration, least restricted first.
const (
	LevelPublic       = "公開"
	LevelInternal     = "社内限定"
	LevelConfidential = "機密"
	LevelSecret       = "極秘"
)

// Scopes a level may be kept to.
const (
	ScopeOrganization = "organization"
	ScopeDepartment   = "department"
)

// DefaultClassification holds the tags Japanese offices write in subjects
// and file names, in Japanese and English. Microsoft's "General" is left
// out: tenants put it on ordinary mail to partners.
func DefaultClassification() Classification {
	labels := map[string]string{}
	for level, names := range map[string][]string{
		LevelPublic:       {"公開", "Public"},
		LevelInternal:     {"社内限定", "社内用", "社内のみ", "Internal", "Internal Only", "Internal Use Only"},
		LevelConfidential: {"社外秘", "機密", "秘", "取扱注意", "Confidential"},
		LevelSecret:       {"極秘", "部外秘", "厳秘", "Strictly Confidential", "Highly Confidential", "Top Secret"},
	} {
		for _, n := range names {
			labels[n] = level
		}
	}
	return Classification{Labels: labels, Scopes: map[string]string{
		LevelInternal:     ScopeOrganization,
		LevelConfidential: ScopeOrganization,
		LevelSecret:       ScopeDepartment,
	}}
}

// defaultLevels are the least verdicts for a labelled message leaving its
// scope (DefaultConfig's), and what a configured policy's levels are merged
// over: a policy written without levels still holds 機密 mail.
var defaultLevels = map[string]Verdict{LevelInternal: Confirm, LevelConfidential: Hold, LevelSecret: Hold}

// labelKey is how labels are compared: NFKC (full-width letters and
// brackets as their ASCII) and case folded.
func labelKey(s string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))
}

func (c *Classification) check() error {
	var errs []string
	for label, level := range c.Labels {
		if labelKey(label) == "" || strings.TrimSpace(level) == "" {
			errs = append(errs, fmt.Sprintf("labels: %q = %q: label and level must not be empty", label, level))
		}
	}
	for level, scope := range c.Scopes {
		if scope != ScopeOrganization && scope != ScopeDepartment && scope != "" {
			errs = append(errs, fmt.Sprintf("scopes: %q = %q: want %q, %q or \"\"", level, scope, ScopeOrganization, ScopeDepartment))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("classification: %s", strings.Join(errs, "; "))
	}
	return nil
}

// compiledClassification is the merged mapping, keys folded.
type compiledClassification struct {
	labels map[string]string
	scopes map[string]string
}

func compileClassification(c Classification) compiledClassification {
	def := DefaultClassification()
	out := compiledClassification{labels: map[string]string{}, scopes: map[string]string{}}
	for _, m := range []map[string]string{def.Labels, c.Labels} {
		for k, v := range m {
			out.labels[labelKey(k)] = strings.TrimSpace(v)
		}
	}
	for _, m := range []map[string]string{def.Scopes, c.Scopes} {
		for k, v := range m {
			out.scopes[strings.TrimSpace(k)] = v
		}
	}
	return out
}

// Classify returns the level of a label (a tag, a Purview label's name or
// GUID) and how far mail of that level may go ("" for anywhere); ok is
// false for a label the organisation has not given a level.
func (p *Policy) Classify(label string) (level, scope string, ok bool) {
	return p.Current().Classify(label)
}

// Classify is Policy.Classify with this configuration.
func (c *Config) Classify(label string) (level, scope string, ok bool) {
	cl := &c.rules.classification
	level, ok = cl.labels[labelKey(label)]
	if !ok {
		return "", "", false
	}
	return level, cl.scopes[level], true
}

// levelVerdict is the least verdict r gives a CLASSIFICATION_LABEL finding.
func (r *resolved) levelVerdict(f finding.Finding) (Verdict, bool) {
	v, ok := r.levels[f.Args["level"]]
	return v, ok
}
