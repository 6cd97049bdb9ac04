package directory

import (
	"context"
	"strings"
	"testing"
)

// TestDeputyAndTimeZone: the deputy and time_zone columns are read,
// checked, stored and loaded back; a bad value is refused naming its line
// and column, so a typo never leaves held mail with no deputy or shows
// someone wrong times.
func TestDeputyAndTimeZone(t *testing.T) {
	for _, tc := range []struct {
		name, row, err string
	}{
		{"good", "bucho@corp.example,部長,営業部,,approver,jicho@corp.example,America/New_York", ""},
		{"empty", "bucho@corp.example,部長,営業部,,approver,,", ""},
		{"deputy not an address", "bucho@corp.example,部長,営業部,,approver,次長,", "line 2, column deputy"},
		{"own deputy", "bucho@corp.example,部長,営業部,,approver,BUCHO@corp.example,", "own deputy"},
		{"unknown zone", "bucho@corp.example,部長,営業部,,approver,,Asia/Osaka", "line 2, column time_zone"},
		{"a path, not a zone", "bucho@corp.example,部長,営業部,,approver,,../../etc/passwd", "column time_zone"},
		{"the machine's zone by name", "bucho@corp.example,部長,営業部,,approver,,Local", "column time_zone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			people, err := ParseCSV(strings.NewReader("address,name,department,groups,roles,deputy,time_zone\n" + tc.row + "\njicho@corp.example,次長,営業部,,sender,,\n"))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			db := openDB(t)
			if err := Import(ctx, db, people, nil); err != nil {
				t.Fatal(err)
			}
			d, err := Load(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := d.Person("bucho@corp.example")
			if p.Deputy != people[0].Deputy || p.TimeZone != people[0].TimeZone || d.DeputyOf("BUCHO@corp.example") != people[0].Deputy {
				t.Errorf("loaded %+v, imported %+v", p, people[0])
			}
		})
	}
}
