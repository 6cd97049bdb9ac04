package directory

import (
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func FuzzParseCSV(f *testing.F) {
	f.Add(goodCSV)
	f.Add("address,name,department,groups,roles\n\"a@b.example,\"x\n")
	f.Add("\xef\xbb\xbfaddress,name,department,groups,roles\r\na@b.example,\"multi\nline\",A,;;;,sender;;\r\n")
	f.Add("address,name,department,groups,roles,aliases,approver_of\na@b.example,N,A,g,approver,a@b.example,department:\n")
	f.Add("address,name,department,groups,roles\n\"\"\"@b.example\",N,A,,\n")
	f.Add("address,name,department,groups,roles\n@,N,A,,\n")
	f.Add("address,name,department,groups,roles\r\na@b.example,\x8d\xb2\x93\xa1,\x89\x63\x8b\xc6\x95\x94,,sender\r\n") // Shift_JIS
	f.Add("\xff\xfea\x00,\x00b\x00\n\x00")
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

// FuzzLDAPEntries feeds hostile attribute values and member DNs, as a
// compromised or sloppy directory server could send them, through the
// conversion to people: errors are fine, panics and bad people are not.
func FuzzLDAPEntries(f *testing.F) {
	f.Add("uid=a,ou=people,dc=corp,dc=example", "a@corp.example", "営業部", "Xプロジェクト", "UID=a, ou=people, dc=corp, dc=example")
	f.Add("uid=a,dc=x", "A@corp.example", "x:y", "misend-approver:group:", "uid=a,dc=x")
	f.Add("not a dn", "", "", "misend-", "=,=+,")
	f.Add("uid=a\\,b,dc=x", "a@corp.example\x00", "d;e", "misend-operator", "uid=a\\,b,dc=x")
	f.Fuzz(func(t *testing.T, dn, mail, dept, group, member string) {
		person := ldap.NewEntry(dn, map[string][]string{"mail": {mail, strings.ToUpper(mail)}, "departmentNumber": {dept}, "cn": {group}})
		grp := ldap.NewEntry("cn=g,dc=x", map[string][]string{"cn": {group}, "member": {member, dn}})
		people, err := LDAP{Base: "dc=x"}.build([]*ldap.Entry{person}, []*ldap.Entry{grp}, []string{"departmentNumber"})
		if err != nil {
			return
		}
		for _, p := range people {
			if p.Address == "" || p.Address != strings.ToLower(p.Address) || p.Department == "" || strings.ContainsAny(p.Department, ";:") {
				t.Fatalf("accepted bad person %+v", p)
			}
			for _, g := range p.Groups {
				if strings.Contains(g, ":") {
					t.Fatalf("accepted group %q", g)
				}
			}
			for _, r := range p.Roles {
				if !knownRole(r) {
					t.Fatalf("accepted role %q", r)
				}
			}
		}
	})
}
