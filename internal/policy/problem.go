package policy

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a policy: the section it is in and a
// catalogue key with its arguments, so that the web UI can say it in the
// reader's language while the configuration check says it in English.
type Problem struct {
	// Section is where: "policy.default", `policy.department."営業部"` or
	// "policy" for the lists.
	Section string
	// Key names the sentence (problemText); the web UI keeps the same keys
	// under "policyerr.".
	Key  string
	Args []any
}

// problemText is every Problem in English; the arguments fill its verbs in
// order.
var problemText = map[string]string{
	"band_verdict":     "bands: unknown verdict %q (want warn, delay, confirm, hold or reject)",
	"band_pass":        "bands: pass needs no band; it applies below the lowest",
	"band_range":       "bands: %s = %v: score must be in (0, 1]",
	"band_order":       "bands: %s starts at %v, not above %s at %v",
	"code_name":        "codes: %q is not a finding code",
	"code_verdict":     "codes: %s = %q: unknown verdict",
	"delay_range":      "delay_minutes: %d not in 0..%d",
	"failsafe_verdict": "fail_safe: unknown verdict %q",
	"dept_empty":       "empty department name",
	"trusted_domain":   "trusted_domains: %q is not a domain name",
	"trusted_suffix":   "trusted_domains: %q is a public suffix: trusting it would trust every organisation under it",
	"exempt_sender":    "exempt_senders: %q is neither an address nor a local part followed by @ (noreply@)",
	"too_many":         "%s: more than %d entries",
}

func (p *Problem) Error() string {
	s, ok := problemText[p.Key]
	if !ok {
		s = p.Key
	}
	if len(p.Args) > 0 {
		s = fmt.Sprintf(s, p.Args...)
	}
	if p.Section == "" {
		return s
	}
	return p.Section + ": " + s
}

// Department returns the department a Problem's section names, "" for the
// default and the lists.
func (p *Problem) Department() string {
	name, ok := strings.CutPrefix(p.Section, "policy.department.")
	if !ok {
		return ""
	}
	var s string
	if _, err := fmt.Sscanf(name, "%q", &s); err != nil {
		return name
	}
	return s
}
