// Package directory knows the organisation: its people (address, name,
// aliases), departments, groups (projects spanning departments), roles, each
// scope's approvers and the organisation's own mail domains.
//
// A directory comes from a Source (a CSV file in any encoding csvfile reads,
// or an LDAP server) and is stored with Import, which replaces the whole
// directory atomically. Readers call Load once and query the in-memory
// Directory, which is immutable and safe for concurrent use.
//
// It deliberately does not authenticate anyone, hold passwords, or decide
// policy: it answers who belongs where and who may approve what.
package directory

import (
	"slices"
	"strings"
)

// Role is what a person may do in misend.
type Role string

const (
	RoleSender   Role = "sender"
	RoleApprover Role = "approver"
	RoleOperator Role = "operator"
	RoleAuditor  Role = "auditor"
	RoleAdmin    Role = "admin"
)

// Roles lists every known role.
var Roles = []Role{RoleSender, RoleApprover, RoleOperator, RoleAuditor, RoleAdmin}

func knownRole(r Role) bool { return slices.Contains(Roles, r) }

// Person is one entry of the directory. Addresses are lower-case.
type Person struct {
	Address    string   `json:"address"`
	Name       string   `json:"name"`
	Department string   `json:"department"`
	Groups     []string `json:"groups,omitempty"`
	Roles      []Role   `json:"roles,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
	// ApproverOf lists the scopes ("department:NAME", "group:NAME",
	// "organization") whose held mail and list changes this person approves.
	ApproverOf []string `json:"approver_of,omitempty"`
	Lang       string   `json:"lang,omitempty"`
	// Deputy is who approves in this person's stead when held mail they
	// were asked about waits too long (代理承認者); "" for none.
	Deputy string `json:"deputy,omitempty"`
	// TimeZone is the person's own IANA time zone for the times misend
	// shows them; "" for the organisation's.
	TimeZone string `json:"time_zone,omitempty"`
}

// Directory is a loaded, read-only directory.
type Directory struct {
	people    map[string]*Person // by address and by alias
	approvers map[string][]string
	domains   []string
}

// New builds a Directory from people and the organisation's domains. When
// domains is empty, the domains of the people's addresses are used: everyone
// listed works for the organisation.
func New(people []Person, domains []string) *Directory {
	d := &Directory{people: map[string]*Person{}, approvers: map[string][]string{}}
	seenDom := map[string]bool{}
	for _, dom := range domains {
		dom = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(dom), "."))
		if dom != "" && !seenDom[dom] {
			seenDom[dom] = true
			d.domains = append(d.domains, dom)
		}
	}
	derive := len(d.domains) == 0
	for i := range people {
		p := &people[i]
		d.people[p.Address] = p
		for _, a := range p.Aliases {
			d.people[a] = p
		}
		for _, s := range approverScopes(p) {
			if !slices.Contains(d.approvers[s], p.Address) {
				d.approvers[s] = append(d.approvers[s], p.Address)
			}
		}
		if derive {
			if dom := domainOf(p.Address); dom != "" && !seenDom[dom] {
				seenDom[dom] = true
				d.domains = append(d.domains, dom)
			}
		}
	}
	for _, l := range d.approvers {
		slices.Sort(l)
	}
	slices.Sort(d.domains)
	return d
}

// approverScopes are the scopes p approves: the explicit approver_of list, or
// the own department for an approver without one.
func approverScopes(p *Person) []string {
	if len(p.ApproverOf) > 0 {
		return p.ApproverOf
	}
	if slices.Contains(p.Roles, RoleApprover) && p.Department != "" {
		return []string{"department:" + p.Department}
	}
	return nil
}

func norm(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(addr[i+1:])
}

// Person returns the person with address or alias addr.
func (d *Directory) Person(addr string) (Person, bool) {
	if d == nil {
		return Person{}, false
	}
	p, ok := d.people[norm(addr)]
	if !ok {
		return Person{}, false
	}
	return *p, true
}

// Finder finds a person by address or alias: a *Directory, or what holds
// one.
type Finder interface {
	Person(addr string) (Person, bool)
}

// PersonOf returns the address of the person with address or alias addr
// in dir; addr itself, trimmed and lower-cased, when nobody there has it
// (or dir is nil). Ownership of mail compares people, not address
// strings: whoever asks who sent or holds mail asks this.
func PersonOf(dir Finder, addr string) string {
	if dir != nil {
		if p, ok := dir.Person(addr); ok {
			return p.Address
		}
	}
	return norm(addr)
}

// DeputyOf returns the address of the person's deputy approver, "" for
// none or unknown addresses.
func (d *Directory) DeputyOf(addr string) string {
	p, _ := d.Person(addr)
	return p.Deputy
}

// DepartmentOf returns addr's department, "" for unknown addresses.
func (d *Directory) DepartmentOf(addr string) string {
	p, _ := d.Person(addr)
	return p.Department
}

// GroupsOf returns addr's groups (a copy), nil for unknown addresses.
func (d *Directory) GroupsOf(addr string) []string {
	p, _ := d.Person(addr)
	return slices.Clone(p.Groups)
}

// HasRole tells whether addr holds role.
func (d *Directory) HasRole(addr string, role Role) bool {
	p, _ := d.Person(addr)
	return slices.Contains(p.Roles, role)
}

// ApproversOf returns the addresses approving for department dept.
func (d *Directory) ApproversOf(dept string) []string {
	return d.ApproversOfScope("department:" + dept)
}

// ApproversOfScope returns the approvers of a scope ("department:NAME",
// "group:NAME", "organization"). With none named for the organisation, its
// admins approve.
func (d *Directory) ApproversOfScope(scope string) []string {
	if d == nil {
		return nil
	}
	if l := d.approvers[scope]; len(l) > 0 {
		return slices.Clone(l)
	}
	if scope == "organization" {
		var admins []string
		for addr, p := range d.people {
			if addr == p.Address && slices.Contains(p.Roles, RoleAdmin) {
				admins = append(admins, addr)
			}
		}
		slices.Sort(admins)
		return admins
	}
	return nil
}

// Domains returns the organisation's own domains.
func (d *Directory) Domains() []string {
	if d == nil {
		return nil
	}
	return slices.Clone(d.domains)
}

// IsInternal tells whether addr belongs to the organisation: a listed person
// or alias, or an address at one of its domains or their subdomains.
func (d *Directory) IsInternal(addr string) bool {
	if d == nil {
		return false
	}
	addr = norm(addr)
	if _, ok := d.people[addr]; ok {
		return true
	}
	dom := domainOf(addr)
	if dom == "" {
		return false
	}
	for _, own := range d.domains {
		if dom == own || strings.HasSuffix(dom, "."+own) {
			return true
		}
	}
	return false
}

// People returns every person once, ordered by address.
func (d *Directory) People() []Person {
	if d == nil {
		return nil
	}
	var out []Person
	for addr, p := range d.people {
		if addr == p.Address {
			out = append(out, *p)
		}
	}
	slices.SortFunc(out, func(a, b Person) int { return strings.Compare(a.Address, b.Address) })
	return out
}

// InDepartment tells whether addr is a member of department dept.
func (d *Directory) InDepartment(addr, dept string) bool {
	return dept != "" && d.DepartmentOf(addr) == dept
}

// InGroup tells whether addr is a member of group g.
func (d *Directory) InGroup(addr, g string) bool {
	p, _ := d.Person(addr)
	return g != "" && slices.Contains(p.Groups, g)
}
