package directory

import (
	"strings"
	"testing"
)

func FuzzParseCSV(f *testing.F) {
	f.Add(goodCSV)
	f.Add("address,name,department,groups,roles\n\"a@b.example,\"x\n")
	f.Add("\xef\xbb\xbfaddress,name,department,groups,roles\r\na@b.example,\"multi\nline\",A,;;;,sender;;\r\n")
	f.Add("address,name,department,groups,roles,aliases,approver_of\na@b.example,N,A,g,approver,a@b.example,department:\n")
	f.Add("address,name,department,groups,roles\n\"\"\"@b.example\",N,A,,\n")
	f.Add("address,name,department,groups,roles\n@,N,A,,\n")
	f.Add("address,name,department,groups,roles\n" + strings.Repeat("x", 5000) + "@b.example,N,A,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		people, err := ParseCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, p := range people {
			if p.Address == "" || p.Address != strings.ToLower(p.Address) || p.Department == "" {
				t.Fatalf("accepted bad person %+v", p)
			}
			if seen[p.Address] {
				t.Fatalf("accepted duplicate %s", p.Address)
			}
			seen[p.Address] = true
		}
		d := New(people, nil)
		for _, p := range people {
			if !d.IsInternal(p.Address) || d.DepartmentOf(p.Address) != p.Department {
				t.Fatalf("directory lost %+v", p)
			}
		}
	})
}
