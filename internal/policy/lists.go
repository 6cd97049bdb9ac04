package policy

import (
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// maxListEntries bounds each list: an allow-list of thousands is no longer
// reviewed by anyone.
const maxListEntries = 1000

var (
	domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	localPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9._+-]{0,63}$`)
)

// NormalizeDomain returns dom as misend compares domains (lower case,
// punycode for a Japanese domain, no trailing dot), ok false when it is no
// domain name.
func NormalizeDomain(dom string) (string, bool) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(dom)), ".")
	a, err := idna.Lookup.ToASCII(d)
	if err != nil || len(a) > 253 || !domainPattern.MatchString(a) {
		return "", false
	}
	return a, true
}

// normalizeDomains checks and normalises the trusted domains, sorted and
// without repeats.
func normalizeDomains(in []string) ([]string, []error) {
	var out []string
	var errs []error
	for _, d := range in {
		if strings.TrimSpace(d) == "" {
			continue
		}
		n, ok := NormalizeDomain(d)
		if !ok {
			errs = append(errs, &Problem{Section: "policy", Key: "trusted_domain", Args: []any{d}})
			continue
		}
		// "co.jp" would trust every company in Japan.
		if suf, _ := publicsuffix.PublicSuffix(n); suf == n {
			errs = append(errs, &Problem{Section: "policy", Key: "trusted_suffix", Args: []any{d}})
			continue
		}
		out = append(out, n)
	}
	return finishList("trusted_domains", out, errs)
}

// normalizeSenders checks and normalises the exempt senders: full
// addresses, or a local part with a trailing @ for that local part at
// every organisation domain.
func normalizeSenders(in []string) ([]string, []error) {
	var out []string
	var errs []error
	for _, a := range in {
		s := strings.ToLower(strings.TrimSpace(a))
		if s == "" {
			continue
		}
		local, dom, ok := strings.Cut(s, "@")
		if ok && dom != "" {
			if dom, ok = NormalizeDomain(dom); ok {
				s = local + "@" + dom
			}
		}
		if !ok || !localPattern.MatchString(local) {
			errs = append(errs, &Problem{Section: "policy", Key: "exempt_sender", Args: []any{a}})
			continue
		}
		out = append(out, s)
	}
	return finishList("exempt_senders", out, errs)
}

// finishList bounds the list named name to maxListEntries and returns it
// sorted and without repeats.
func finishList(name string, out []string, errs []error) ([]string, []error) {
	if len(out) > maxListEntries {
		errs = append(errs, &Problem{Section: "policy", Key: "too_many", Args: []any{name, maxListEntries}})
	}
	slices.Sort(out)
	return slices.Compact(out), errs
}

// Trusted reports whether dom is one of the trusted domains or under one
// (mail.partner.example under partner.example). A look-alike
// (partner-example.com, partner.example.co) is not.
func (c *Config) Trusted(dom string) bool {
	if c.rules == nil || len(c.rules.trusted) == 0 {
		return false
	}
	d := strings.TrimSuffix(strings.ToLower(dom), ".")
	if a, err := idna.Lookup.ToASCII(d); err == nil {
		d = a // a Japanese domain as written in a header, the list holds punycode
	}
	for d != "" {
		if c.rules.trusted[d] {
			return true
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		d = rest
	}
	return false
}

// Exempt reports whether addr is an exempt sender by the list alone: the
// address itself, or its local part with a trailing @. Whether the address
// is the organisation's own, which an exemption also needs, is the
// caller's to know (package decide asks the directory).
func (c *Config) Exempt(addr string) bool {
	if c.rules == nil || len(c.rules.exempt) == 0 {
		return false
	}
	a := strings.ToLower(strings.TrimSpace(addr))
	local, _, ok := strings.Cut(a, "@")
	if !ok || local == "" {
		return false
	}
	return c.rules.exempt[a] || c.rules.exempt[local+"@"]
}
