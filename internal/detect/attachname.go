package detect

import (
	"path"
	"strings"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"golang.org/x/text/unicode/norm"
)

// attachmentCompanies reports an attachment whose file name or first page
// (mail.Attachment.Lead, read by package attach) names a company that the
// organisation's mail addresses at a domain no recipient is at:
// "株式会社青葉食品様_お見積書.pdf" or a quote opening "株式会社青葉食品 御中"
// sent to another partner. Japanese names are matched as the model learned
// them from openings (Model.CompanyDomain), romanised ones against the
// names of the domains the sender mails.
//
// It adds a finding only and sets no feature: the score stays the one the
// weights were fitted for, until attachment features are fitted on real
// mail.
func (c *check) attachmentCompanies(rOrgs []string) {
	if c.f[fGreeting] != 0 {
		return // the opening or a file name already said it
	}
	for _, a := range c.msg.Attachments {
		for _, company := range namedInAttachment(a) {
			if dom, ok := c.elsewhere(company); ok {
				c.add(finding.Finding{Code: finding.GreetingMismatch, Severity: finding.High}.
					Say("greeting.attachment_company", finding.Args{"file": attachmentName(a), "company": company, "domain": dom}))
				return
			}
		}
		if a.Lead == "" {
			continue
		}
		lead := squash(norm.NFKC.String(a.Lead))
		for _, org := range c.knownOrgs() {
			// A first page is long: only names long enough not to turn up
			// by chance count.
			if len(org) >= 5 && strings.Contains(lead, org) && !orgAmong(org, rOrgs) {
				if dom := c.orgDomain(org); dom != "" {
					c.add(finding.Finding{Code: finding.GreetingMismatch, Severity: finding.High}.
						Say("greeting.attachment", finding.Args{"file": attachmentName(a), "domain": dom}))
					return
				}
			}
		}
	}
}

func attachmentName(a mail.Attachment) string {
	if a.Filename != "" {
		return a.Filename
	}
	return "(" + a.ContentType + ")"
}

// orgAmong reports whether a recipient belongs to org, as namedCompany
// tells.
func orgAmong(org string, rOrgs []string) bool {
	for _, o := range rOrgs {
		if o == org || (len(org) >= 3 && strings.Contains(o, org)) {
			return true
		}
	}
	return false
}

// orgDomain is the outside domain the sender mails whose name is org.
func (c *check) orgDomain(org string) string {
	for _, d := range c.m.Domains(c.sender) {
		if !c.m.IsInternal("x@"+d) && !isFreemail(d) && squash(orgLabel(d)) == org {
			return d
		}
	}
	return ""
}

// elsewhere returns the domain that mail addressing company goes to, when
// that is known well enough and no outside recipient is there (or at a
// domain such mail reached now and then, as learnedCompany allows).
func (c *check) elsewhere(company string) (string, bool) {
	dom, n := c.m.CompanyDomain(squash(company))
	if n < minCompanyMail {
		return "", false
	}
	outside := false
	for _, r := range c.rs {
		if r.internal {
			continue
		}
		outside = true
		if r.dom == dom || c.m.CompanyAt(squash(company), r.dom)*5 >= n {
			return "", false
		}
	}
	return dom, outside
}

// fileNameSeparators split a file name into the words people put in it:
// "株式会社青葉食品様_お見積書(改訂).pdf".
const fileNameSeparators = "_-()[]【】「」（）・ 　.,、"

// namedInAttachment returns the companies an attachment names, as written:
// in its file name a word with a company mark or an honorific
// ("株式会社青葉食品", "青葉食品様", "青葉食品御中"), on its first page the
// companies the openings name.
func namedInAttachment(a mail.Attachment) []string {
	var out []string
	name := norm.NFKC.String(strings.TrimSuffix(a.Filename, path.Ext(a.Filename)))
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return strings.ContainsRune(fileNameSeparators, r) }) {
		marked := false
		for _, h := range []string{"御中", "様", "殿", "さま"} {
			if s, ok := strings.CutSuffix(w, h); ok {
				w, marked = s, true
				break
			}
		}
		for _, m := range companyMarks {
			if strings.Contains(w, m) {
				marked = true
			}
		}
		if c := companyName(w); marked && len([]rune(c)) >= 2 {
			out = append(out, c)
		}
	}
	// "株式会社青葉食品 御中" heads a document as a line of its own: the
	// company then speaks for the name below it, as in a letter.
	for _, g := range ParseGreeting(strings.ReplaceAll(a.Lead, "御中", "")) {
		if len([]rune(g.Company)) >= 2 {
			out = append(out, g.Company)
		}
	}
	if len(out) > 8 {
		out = out[:8]
	}
	return out
}
