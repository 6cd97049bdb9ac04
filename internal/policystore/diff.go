package policystore

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/policy"
)

// Delta is one setting a change touched: its key as in the configuration
// file, and its value before and after ("" when unset).
type Delta struct {
	Key, Before, After string
}

// Diff lists what differs between two policies, by setting, in key
// order: each band, each finding code, delay, shadow mode and fail-safe
// of the default and every department, and each trusted domain and exempt
// sender added or removed.
func Diff(before, after *policy.Config) []Delta {
	a, b := flatten(before), flatten(after)
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []Delta
	for _, k := range keys {
		if a[k] != b[k] {
			out = append(out, Delta{Key: k, Before: a[k], After: b[k]})
		}
	}
	return out
}

// DiffText is the audit log's detail of a change: "key: before → after"
// per setting, "–" for unset.
func DiffText(ds []Delta) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Key + ": " + orDash(d.Before) + " → " + orDash(d.After)
	}
	return strings.Join(parts, "; ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func flatten(c *policy.Config) map[string]string {
	m := map[string]string{}
	if c == nil {
		return m
	}
	for _, d := range c.TrustedDomains {
		m["trusted_domains."+d] = "trusted"
	}
	for _, a := range c.ExemptSenders {
		m["exempt_senders."+a] = "exempt"
	}
	rules(m, "default", c.Default)
	for name, r := range c.Departments {
		// A department with rules of its own, even none yet, no longer
		// follows the default as a whole.
		m[fmt.Sprintf("department.%q", name)] = "own rules"
		rules(m, fmt.Sprintf("department.%q", name), r)
	}
	return m
}

func rules(m map[string]string, prefix string, r policy.Rules) {
	if r.Bands != nil {
		// An empty map is bands of its own (none), unlike no map.
		m[prefix+".bands"] = "own"
	}
	for v, at := range r.Bands {
		m[prefix+".bands."+string(v)] = strconv.FormatFloat(at, 'f', -1, 64)
	}
	for c, v := range r.Codes {
		m[prefix+".codes."+string(c)] = string(v)
	}
	if r.DelayMinutes != 0 {
		m[prefix+".delay_minutes"] = strconv.Itoa(r.DelayMinutes)
	}
	if r.Shadow != nil {
		m[prefix+".shadow"] = strconv.FormatBool(*r.Shadow)
	}
	if r.FailSafe != "" {
		m[prefix+".fail_safe"] = string(r.FailSafe)
	}
}
