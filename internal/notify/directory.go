package notify

import (
	"github.com/misend/misend/internal/directory"
)

// DirectoryPeople answers People from misend's directory. A department
// without approvers of its own falls back to the organisation's, so a hold
// always reaches someone who can release it.
type DirectoryPeople struct {
	// Dir is the directory in force; an import while serving replaces
	// it, and the next notice follows.
	Dir *directory.Current
}

// LangOf returns the person's language setting.
func (p DirectoryPeople) LangOf(addr string) string {
	person, _ := p.Dir.Load().Person(addr)
	return person.Lang
}

// ApproversOf returns the department's approvers, else the organisation's.
func (p DirectoryPeople) ApproversOf(dept string) []string {
	if dept != "" {
		if a := p.Dir.Load().ApproversOf(dept); len(a) > 0 {
			return a
		}
	}
	return p.Dir.Load().ApproversOfScope("organization")
}

// PersonOf returns the address of the person with address or alias addr,
// addr (lower-cased) when the directory knows nobody with it.
func (p DirectoryPeople) PersonOf(addr string) string { return p.Dir.PersonOf(addr) }

// Has reports whether a person of the directory has addr as their address
// or an alias.
func (p DirectoryPeople) Has(addr string) bool {
	_, ok := p.Dir.Load().Person(addr)
	return ok
}

// NameOf returns the person's name as the directory writes it, "" when
// it has none.
func (p DirectoryPeople) NameOf(addr string) string {
	person, _ := p.Dir.Load().Person(addr)
	return person.Name
}

// ZoneOf returns the person's own time zone, "" for the organisation's.
func (p DirectoryPeople) ZoneOf(addr string) string {
	person, _ := p.Dir.Load().Person(addr)
	return person.TimeZone
}
