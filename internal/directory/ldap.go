package directory

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// LDAP reads the directory from an LDAP server (OpenLDAP, Active Directory,
// 389-DS) with one paged search for people and one for groups.
//
// A person is an entry matching Filter with a mail attribute: the first mail
// value is the address, further values are aliases. The name comes from
// displayName (else cn), the department from DepartmentAttr, the language
// from preferredLanguage. Groups are groupOfNames / groupOfUniqueNames
// entries (their cn) listing the person as member or uniqueMember. Groups
// whose cn starts with RolePrefix carry misend roles instead: "misend-operator"
// gives the operator role, "misend-approver:department:営業部" makes its
// members approvers of that scope. Everyone listed is a sender.
//
// It reads only; it never writes to the server and keeps no password beyond
// the bind it makes.
type LDAP struct {
	URL      string // ldap://host[:port] or ldaps://host[:port]
	StartTLS bool   // upgrade an ldap:// connection; refused if the server cannot
	TLS      *tls.Config
	BindDN   string // empty: anonymous
	Password string
	Base     string // where people are searched
	// GroupBase is where groups are searched; empty means Base.
	GroupBase string
	// Filter selects people; empty means (&(objectClass=inetOrgPerson)(mail=*)).
	Filter string
	// DepartmentAttr names the department attribute; empty means
	// departmentNumber, falling back to ou.
	DepartmentAttr string
	// RolePrefix marks role groups; empty means "misend-".
	RolePrefix string
	// DeputyAttr, if set, names the attribute holding a person's deputy
	// approver: a mail address, or the DN of another person read (as
	// inetOrgPerson's secretary holds). TimeZoneAttr, if set, names the
	// attribute holding their own IANA time zone. Neither is read unless
	// named: directories keep them in attributes of their own choosing.
	DeputyAttr, TimeZoneAttr string
	Timeout                  time.Duration // per operation; 0 means 30 s
}

const ldapPageSize = 500

// EntryError is one problem with one directory entry.
type EntryError struct {
	DN, Attribute, Reason string
}

func (e EntryError) Error() string {
	if e.Attribute == "" {
		return fmt.Sprintf("%s: %s", e.DN, e.Reason)
	}
	return fmt.Sprintf("%s, attribute %s: %s", e.DN, e.Attribute, e.Reason)
}

// LDAPImportError gathers every problem found in the directory. Nothing is
// imported when it is returned.
type LDAPImportError struct {
	Entries   []EntryError
	Truncated int
}

func (e *LDAPImportError) Error() string {
	return describeProblems("the LDAP directory", e.Entries, e.Truncated)
}

func (e *LDAPImportError) add(x EntryError) { addProblem(&e.Entries, &e.Truncated, x) }

// People implements Source.
func (l LDAP) People(ctx context.Context) ([]Person, error) {
	if l.Base == "" {
		return nil, errors.New("ldap: no base DN")
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []ldap.DialOpt{ldap.DialWithDialer(&net.Dialer{Timeout: timeout})}
	if l.TLS != nil {
		opts = append(opts, ldap.DialWithTLSConfig(l.TLS))
	}
	conn, err := ldap.DialURL(l.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("ldap: connect %s: %w", l.URL, err)
	}
	defer conn.Close()
	// The library's calls take no context: closing the connection is what
	// ends a call when the caller gives up.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetTimeout(timeout)
	if l.StartTLS {
		cfg := l.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: hostOf(l.URL)}
		}
		if err := conn.StartTLS(cfg); err != nil {
			return nil, fmt.Errorf("ldap: StartTLS with %s: %w", l.URL, err)
		}
	}
	if l.BindDN != "" {
		if err := conn.Bind(l.BindDN, l.Password); err != nil {
			return nil, fmt.Errorf("ldap: bind as %s: %w", l.BindDN, err)
		}
	}
	filter := l.Filter
	if filter == "" {
		filter = "(&(objectClass=inetOrgPerson)(mail=*))"
	}
	deptAttrs := []string{"departmentNumber", "ou"}
	if l.DepartmentAttr != "" {
		deptAttrs = []string{l.DepartmentAttr}
	}
	attrs := append([]string{"mail", "displayName", "cn", "preferredLanguage"}, deptAttrs...)
	for _, a := range []string{l.DeputyAttr, l.TimeZoneAttr} {
		if a != "" {
			attrs = append(attrs, a)
		}
	}
	people, err := l.search(ctx, conn, l.Base, filter, attrs)
	if err != nil {
		return nil, err
	}
	groupBase := cmp.Or(l.GroupBase, l.Base)
	groups, err := l.search(ctx, conn, groupBase, "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))", []string{"cn", "member", "uniqueMember"})
	if err != nil {
		return nil, err
	}
	return l.build(people, groups, deptAttrs)
}

func (l LDAP) search(ctx context.Context, conn *ldap.Conn, base, filter string, attrs []string) ([]*ldap.Entry, error) {
	req := ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, filter, attrs, nil)
	res, err := conn.SearchWithPaging(req, ldapPageSize)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("ldap: search %s: %w", base, ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("ldap: search %s for %s: %w", base, filter, err)
	}
	if len(res.Entries) > maxRows {
		return nil, fmt.Errorf("ldap: search %s returned more than %d entries", base, maxRows)
	}
	return res.Entries, nil
}

// build turns entries into people with the same checks as the CSV import.
func (l LDAP) build(entries, groups []*ldap.Entry, deptAttrs []string) ([]Person, error) {
	prefix := cmp.Or(l.RolePrefix, "misend-")
	ierr := &LDAPImportError{}
	// Member DNs compare case-insensitively and without spaces after commas.
	memberOf := map[string][]string{} // normalised member DN → group cns
	for _, g := range groups {
		cn := strings.TrimSpace(g.GetAttributeValue("cn"))
		if cn == "" {
			continue
		}
		for _, m := range append(g.GetAttributeValues("member"), g.GetAttributeValues("uniqueMember")...) {
			k := normDN(m)
			if !slices.Contains(memberOf[k], cn) {
				memberOf[k] = append(memberOf[k], cn)
			}
		}
	}
	var people []Person
	seen := map[string]string{} // address or alias → DN
	byDN := map[string]string{} // normalised DN → address
	deputyDN := map[int]*ldap.Entry{}
	for _, e := range entries {
		bad := func(attr, reason string) { ierr.add(EntryError{DN: e.DN, Attribute: attr, Reason: reason}) }
		mails := e.GetAttributeValues("mail")
		if len(mails) == 0 {
			bad("mail", "no address")
			continue
		}
		p := Person{Name: cmp.Or(e.GetAttributeValue("displayName"), e.GetAttributeValue("cn")), Lang: e.GetAttributeValue("preferredLanguage"), Roles: []Role{RoleSender}}
		for _, a := range deptAttrs {
			if v := strings.TrimSpace(e.GetAttributeValue(a)); v != "" {
				p.Department = v
				break
			}
		}
		for _, v := range []struct{ attr, val string }{{"name", p.Name}, {"department", p.Department}, {"preferredLanguage", p.Lang}} {
			if len(v.val) > maxFieldLen {
				bad(v.attr, fmt.Sprintf("longer than %d bytes", maxFieldLen))
			}
		}
		if p.Department == "" {
			bad(deptAttrs[0], "no department")
		} else if strings.ContainsAny(p.Department, ";:") {
			bad(deptAttrs[0], "must not contain ';' or ':'")
		}
		for i, m := range mails {
			addr, why := checkAddress(strings.TrimSpace(m))
			if why != "" {
				bad("mail", why)
				continue
			}
			if i == 0 {
				p.Address = addr
			} else if !slices.Contains(p.Aliases, addr) && addr != p.Address {
				p.Aliases = append(p.Aliases, addr)
			}
		}
		byDN[normDN(e.DN)] = p.Address
		if l.TimeZoneAttr != "" {
			if tz := strings.TrimSpace(e.GetAttributeValue(l.TimeZoneAttr)); tz != "" {
				if why := checkTimeZone(tz); why != "" {
					bad(l.TimeZoneAttr, why)
				}
				p.TimeZone = tz
			}
		}
		if l.DeputyAttr != "" {
			if d := strings.TrimSpace(e.GetAttributeValue(l.DeputyAttr)); d != "" {
				if strings.Contains(d, "@") && !strings.Contains(d, "=") {
					dep, why := checkAddress(d)
					if why != "" {
						bad(l.DeputyAttr, why)
					}
					p.Deputy = dep
				} else {
					deputyDN[len(people)] = e // a DN: resolved once every person is read
				}
			}
		}
		for _, cn := range memberOf[normDN(e.DN)] {
			rest, isRole := strings.CutPrefix(cn, prefix)
			switch {
			case !isRole:
				if strings.Contains(cn, ":") {
					bad("group", fmt.Sprintf("group %q must not contain ':'", cn))
					continue
				}
				p.Groups = append(p.Groups, cn)
			case strings.HasPrefix(rest, "approver:"):
				scope, why := checkScope(strings.TrimPrefix(rest, "approver:"))
				if why != "" {
					bad("group", fmt.Sprintf("role group %q: %s", cn, why))
					continue
				}
				p.ApproverOf = append(p.ApproverOf, scope)
				if !slices.Contains(p.Roles, RoleApprover) {
					p.Roles = append(p.Roles, RoleApprover)
				}
			default:
				role := Role(strings.ToLower(rest))
				if !knownRole(role) {
					bad("group", fmt.Sprintf("role group %q: unknown role %q (known: sender, approver, operator, auditor, admin)", cn, rest))
					continue
				}
				if !slices.Contains(p.Roles, role) {
					p.Roles = append(p.Roles, role)
				}
			}
		}
		slices.Sort(p.Groups)
		for _, a := range append([]string{p.Address}, p.Aliases...) {
			if a == "" {
				continue
			}
			if prev, dup := seen[a]; dup {
				bad("mail", fmt.Sprintf("duplicate address %s (also on %s)", a, prev))
				continue
			}
			seen[a] = e.DN
		}
		people = append(people, p)
	}
	for i, e := range deputyDN {
		dn := strings.TrimSpace(e.GetAttributeValue(l.DeputyAttr))
		if addr, ok := byDN[normDN(dn)]; ok && addr != "" {
			people[i].Deputy = addr
		} else {
			ierr.add(EntryError{DN: e.DN, Attribute: l.DeputyAttr, Reason: fmt.Sprintf("deputy %q is nobody read under %s", dn, l.Base)})
		}
	}
	for _, p := range people {
		if p.Deputy != "" && p.Deputy == p.Address {
			ierr.add(EntryError{DN: seen[p.Address], Attribute: l.DeputyAttr, Reason: "a person is not their own deputy"})
		}
	}
	if len(ierr.Entries) > 0 || ierr.Truncated > 0 {
		return nil, ierr
	}
	if len(people) == 0 {
		return nil, fmt.Errorf("ldap: no people under %s", l.Base)
	}
	slices.SortFunc(people, func(a, b Person) int { return strings.Compare(a.Address, b.Address) })
	return people, nil
}

// normDN lower-cases a DN and drops the spaces around its separators, enough
// to match member values written by hand against entry DNs.
func normDN(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(dn))
	}
	var parts []string
	for _, rdn := range parsed.RDNs {
		var as []string
		for _, a := range rdn.Attributes {
			as = append(as, strings.ToLower(a.Type)+"="+strings.ToLower(a.Value))
		}
		slices.Sort(as)
		parts = append(parts, strings.Join(as, "+"))
	}
	return strings.Join(parts, ",")
}

func hostOf(url string) string {
	_, rest, _ := strings.Cut(url, "://")
	host := strings.TrimSuffix(rest, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}
