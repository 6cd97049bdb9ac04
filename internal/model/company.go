package model

import "github.com/misend/misend/internal/mail"

// Company names: the openings of mail an insider sends to one outside
// domain name the company there ("東洋電機株式会社\n田中様"); counted per
// name and domain, they tell which domain a greeting's company means.

// outsideDomain is the one outside domain mail from an insider goes to,
// "" when it goes to none or several, or comes from outside: only such mail
// tells which domain the company its opening names is at.
func (m *Model) outsideDomain(from string, rcpts []mail.Address) string {
	if !m.internalDomain(domainOf(from)) {
		return ""
	}
	outside := ""
	for _, r := range rcpts {
		d := domainOf(r.Addr)
		if d == "" || m.internalDomain(d) {
			continue
		}
		if outside != "" && d != outside {
			return ""
		}
		outside = d
	}
	return outside
}

// learnCompanies (m.mu held) counts names against domain, which Learn has
// interned with the recipients.
func (m *Model) learnCompanies(names []string, domain string) {
	dom, ok := m.domains.lookup(domain)
	if len(names) == 0 || !ok {
		return
	}
	for i, name := range names {
		if i == maxCompanyNames {
			break
		}
		if name == "" || len(name) > maxCompanyName {
			continue
		}
		nid, _ := m.names.id(name)
		m.compDom[uint64(nid)<<32|uint64(dom)]++
		m.raiseCompanyTop(nid, dom)
	}
}

// raiseCompanyTop (m.mu held) makes dom the domain of company name nid if
// it now has more messages than the current one, or as many and a lower
// id, so the choice is the same however the counts were reached.
func (m *Model) raiseCompanyTop(nid, dom uint32) {
	top, had := m.compTop[nid]
	n, tn := m.compDom[uint64(nid)<<32|uint64(dom)], m.compDom[uint64(nid)<<32|uint64(top)]
	if !had || n > tn || (n == tn && dom < top) {
		m.compTop[nid] = dom
	}
}

// CompanyDomain returns the outside domain that the openings of the
// organisation's sent mail most often address as company (normalised as
// Config.Addressed does), and in how many messages; "" and 0 when the name
// was never learned.
func (m *Model) CompanyDomain(company string) (string, int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	nid, ok := m.names.lookup(company)
	if !ok {
		return "", 0
	}
	dom, ok := m.compTop[nid]
	if !ok {
		return "", 0
	}
	return m.domains.str[dom], int(m.compDom[uint64(nid)<<32|uint64(dom)])
}

// CompanyAt returns in how many sent messages an opening naming company
// went to domain.
func (m *Model) CompanyAt(company, domain string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	nid, ok := m.names.lookup(company)
	if !ok {
		return 0
	}
	did, ok := m.domains.lookup(domain)
	if !ok {
		return 0
	}
	return int(m.compDom[uint64(nid)<<32|uint64(did)])
}
