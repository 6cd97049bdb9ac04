package check

import (
	"testing"

	"github.com/misend/misend/internal/directory"
)

// People answers the decision path from the directory: aliases resolve to
// the person's main address.
func TestPeople(t *testing.T) {
	dir := directory.New([]directory.Person{
		{Address: "sato@corp.example", Department: "営業部", Aliases: []string{"s.sato@corp.example"}},
	}, []string{"corp.example"})
	p := People{Fixed{dir}}
	for _, tt := range []struct {
		addr, person string
		ok, internal bool
	}{
		{"sato@corp.example", "sato@corp.example", true, true},
		{"S.Sato@corp.example", "sato@corp.example", true, true},
		{"nobody@corp.example", "", false, true},
		{"ceo@evil.example", "", false, false},
	} {
		person, ok := p.PersonOf(tt.addr)
		if person != tt.person || ok != tt.ok || p.IsInternal(tt.addr) != tt.internal {
			t.Errorf("%s: %q %v internal %v", tt.addr, person, ok, p.IsInternal(tt.addr))
		}
	}
	if d := p.DepartmentOf("s.sato@corp.example"); d != "営業部" {
		t.Errorf("department of an alias: %q", d)
	}
}
