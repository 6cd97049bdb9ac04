package detect

import (
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
)

// AddressedCompanies returns the companies the opening of msg addresses
// ("東洋電機株式会社\n田中様" → "東洋電機"), squashed as the greeting check
// compares them. The model learns from sent mail which domain each such
// name goes to (model.Config.Addressed), so that a greeting can be checked
// against the recipients even when the company's name and its domain share
// no letters, as Japanese names and their romanised domains do not.
func AddressedCompanies(msg *mail.Message) []string {
	var out []string
	for _, g := range ParseGreeting(msg.Text) {
		if c := squash(g.Company); len([]rune(c)) >= 2 {
			out = append(out, c)
		}
	}
	return out
}

// minCompanyMail is how many messages must have addressed a company at its
// domain before a greeting naming it is taken to mean that domain.
const minCompanyMail = 3

// learnedCompany reports a greeting that names company when the
// organisation's mail opening with that name goes to a domain no recipient
// is at: "東洋電機株式会社 田中様" sent to yamada-shoji.co.jp while such
// mail goes to toyo-denki.co.jp. A recipient's domain that mail with this
// opening reached now and then (a fifth as often) counts as that company's
// too: a group's companies share names.
//
// written is the name as the sender wrote it, for the sentence.
func (c *check) learnedCompany(company, written string) {
	if c.f[fGreeting] != 0 {
		return // already reported
	}
	dom, n := c.m.CompanyDomain(company)
	if n < minCompanyMail {
		return
	}
	outside := false
	for _, r := range c.rs {
		if r.internal {
			continue
		}
		outside = true
		if r.dom == dom || c.m.CompanyAt(company, r.dom)*5 >= n {
			return
		}
	}
	if !outside {
		return // outsideGreeting speaks for mail to insiders only
	}
	c.f[fGreeting] = 1
	c.add(finding.Finding{Code: finding.GreetingMismatch, Severity: finding.High}.
		Say("greeting.company_named", finding.Args{"domain": dom, "company": written}))
}
