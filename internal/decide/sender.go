package decide

import (
	"slices"
	"strings"
)

// identity is who sent a message, settled once per decision.
type identity struct {
	// sender is the person who sent it (their main address) when
	// person, else the envelope sender or the From as written.
	sender string
	person bool
	// from is the header From: the person's main address when
	// fromPerson, else as written.
	from       string
	fromPerson bool
	// persons are the distinct people the login, the envelope sender and
	// the From name, sender first: the confidential-term lists and the
	// policy of each apply, the strictest winning.
	persons []string
}

// identify settles who sent a message: the SASL login when it names a
// person of the directory (as an address or alias, or as a local part at
// the envelope sender's domain), else the envelope sender when it is one,
// else the header From. The header From is the weakest claim: any client
// can write any From: line, while the envelope sender is what the MTA
// accepted from an authenticated or allowed client and the login is what
// it authenticated.
func (p *Path) identify(env Envelope, from string) identity {
	envFrom := strings.ToLower(strings.TrimSpace(env.From))
	from = strings.ToLower(strings.TrimSpace(from))
	var id identity
	id.from, id.fromPerson = p.person(from)
	if !id.fromPerson {
		id.from = from
	}
	login := ""
	if l := strings.ToLower(strings.TrimSpace(env.Login)); l != "" {
		if !strings.Contains(l, "@") {
			if _, dom, ok := strings.Cut(envFrom, "@"); ok {
				l += "@" + dom
			}
		}
		login, _ = p.person(l)
	}
	envPerson, _ := p.person(envFrom)
	fromPerson := ""
	if id.fromPerson {
		fromPerson = id.from
	}
	for _, a := range []string{login, envPerson, fromPerson} {
		if a != "" && !slices.Contains(id.persons, a) {
			id.persons = append(id.persons, a)
		}
	}
	if len(id.persons) > 0 {
		id.sender, id.person = id.persons[0], true
		return id
	}
	// Nobody of the directory: the envelope sender as written, else the
	// From.
	id.sender = envFrom
	if id.sender == "" {
		id.sender = from
	}
	return id
}

func (p *Path) person(addr string) (string, bool) {
	if p.People == nil || addr == "" {
		return "", false
	}
	return p.People.PersonOf(addr)
}
