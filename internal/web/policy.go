package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/misend/misend/internal/policy"
)

type bandRow struct {
	Verdict policy.Verdict
	At      float64
}

type codeRow struct {
	Code    string
	Verdict policy.Verdict
}

type policyRow struct {
	Department string // "" for the organisation's default
	Bands      []bandRow
	Codes      []codeRow
	Levels     []codeRow // classification level → least verdict; Code holds the level
	Delay      int
	Shadow     bool
	ShadowSet  bool
	FailSafe   policy.Verdict
	Inherits   bool // no bands of its own
}

func rowOf(dept string, r policy.Rules) policyRow {
	row := policyRow{Department: dept, Delay: r.DelayMinutes, FailSafe: r.FailSafe, Inherits: len(r.Bands) == 0}
	if r.Shadow != nil {
		row.Shadow, row.ShadowSet = *r.Shadow, true
	}
	for v, at := range r.Bands {
		row.Bands = append(row.Bands, bandRow{v, at})
	}
	slices.SortFunc(row.Bands, func(a, b bandRow) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	for c, v := range r.Codes {
		row.Codes = append(row.Codes, codeRow{string(c), v})
	}
	slices.SortFunc(row.Codes, func(a, b codeRow) int { return strings.Compare(a.Code, b.Code) })
	for l, v := range r.Levels {
		row.Levels = append(row.Levels, codeRow{l, v})
	}
	slices.SortFunc(row.Levels, func(a, b codeRow) int { return strings.Compare(a.Code, b.Code) })
	return row
}

type policyData struct {
	Default     policyRow
	Departments []policyRow
	// Unlisted are departments of the directory with no rules of their
	// own: they follow the default.
	Unlisted []string
	// Advice is what the configuration check found, in the page's language.
	Advice []adviceRow
}

type adviceRow struct {
	Severity string
	Key      string
	Text     string
}

// policyPage shows the policy in force. It is read-only: the policy lives
// in the configuration file, reviewed like any other change to it.
func (w *Web) policyPage(rw http.ResponseWriter, r *http.Request, q *req) {
	cfg := w.o.Policy
	d := policyData{Default: rowOf("", cfg.Default)}
	for name, rules := range cfg.Departments {
		d.Departments = append(d.Departments, rowOf(name, rules))
	}
	slices.SortFunc(d.Departments, func(a, b policyRow) int { return strings.Compare(a.Department, b.Department) })
	seen := map[string]bool{}
	for _, p := range w.Directory().People() {
		if _, ok := cfg.Departments[p.Department]; !ok && p.Department != "" && !seen[p.Department] {
			seen[p.Department] = true
			d.Unlisted = append(d.Unlisted, p.Department)
		}
	}
	slices.Sort(d.Unlisted)
	for _, a := range w.o.ConfigAdvice {
		d.Advice = append(d.Advice, adviceRow{string(a.Severity), a.Key, a.Text(q.lang)})
	}
	w.render(rw, r, q, http.StatusOK, "policy", page{Title: "title.policy", Data: d})
}
