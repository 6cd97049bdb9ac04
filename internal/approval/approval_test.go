package approval

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/queue"
)

func tokyo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestCalendarAdd: with business hours only they count, in the
// organisation's zone, skipping nights, weekends and holidays; without
// them every hour counts.
func TestCalendarAdd(t *testing.T) {
	loc := tokyo(t)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	office := Config{BusinessHours: "09:00-18:00", Holidays: []string{"2026-12-31", "2027-01-01"}}
	for _, tc := range []struct {
		name string
		cfg  Config
		from string
		d    time.Duration
		want string
	}{
		{"all hours", Config{}, "2026-12-04 17:00", 4 * time.Hour, "2026-12-04 21:00"},
		{"within the day", office, "2026-12-07 10:00", 4 * time.Hour, "2026-12-07 14:00"},
		{"ends at closing", office, "2026-12-07 14:00", 4 * time.Hour, "2026-12-07 18:00"},
		{"overnight", office, "2026-12-07 17:00", 4 * time.Hour, "2026-12-08 12:00"},
		{"held at night", office, "2026-12-07 22:30", time.Hour, "2026-12-08 10:00"},
		{"over the weekend", office, "2026-12-04 17:00", 4 * time.Hour, "2026-12-07 12:00"},
		{"held on Saturday", office, "2026-12-05 11:00", 30 * time.Minute, "2026-12-07 09:30"},
		{"over New Year holidays", office, "2026-12-30 16:00", 4 * time.Hour, "2027-01-04 11:00"},
		{"a whole business day", office, "2026-12-07 09:00", 9 * time.Hour, "2026-12-07 18:00"},
		{"Saturday office", Config{BusinessHours: "10:00-12:00", BusinessDays: []string{"土"}}, "2026-12-07 10:00", 3 * time.Hour, "2026-12-19 11:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal, err := tc.cfg.Calendar(loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := cal.Add(at(tc.from), tc.d); !got.Equal(at(tc.want)) {
				t.Errorf("Add(%s, %s) = %s, want %s", tc.from, tc.d, got.In(loc).Format("2006-01-02 15:04 Mon"), tc.want)
			}
		})
	}
}

// TestParseConfig: the [approval] table as misend's configuration file
// writes it, and the mistakes Validate names.
func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		toml string
		err  string // "" for valid
	}{
		{"full", `
escalate_after = "4h"
final_after = "24h"
final_action = "return"
business_hours = "09:00-18:00"
business_days = ["mon", "tue", "wed", "thu", "fri"]
holidays = ["2027-01-01"]
deputies = { "bucho@corp.example" = "jicho@corp.example" }
[department."経理部"]
final_action = "reject"
[department."総務部"]
self_release = true
self_release_after = "30m"
`, ""},
		{"bad action", `final_action = "bounce"`, "final_action"},
		{"escalation after the deadline", `escalate_after = "24h"
final_after = "8h"`, "escalate_after"},
		{"department escalation after the deadline", `final_after = "8h"
[department."営業部"]
escalate_after = "9h"`, "営業部"},
		{"bad hours", `business_hours = "18:00-09:00"`, "business_hours"},
		{"days without hours", `business_days = ["mon"]`, "business_hours"},
		{"bad day", `business_hours = "09:00-18:00"
business_days = ["funday"]`, "business_days"},
		{"bad holiday", `business_hours = "09:00-18:00"
holidays = ["1/1"]`, "holidays"},
		{"deputy not an address", `deputies = { "bucho@corp.example" = "次長" }`, "deputies"},
		{"own deputy", `deputies = { "bucho@corp.example" = "BUCHO@corp.example" }`, "own deputy"},
		{"bad next level", `escalate_to = "boss@corp.example"`, "escalate_to"},
		{"delay without self-release", `self_release = false
self_release_after = "1h"`, "self_release"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			dec := toml.NewDecoder(bytes.NewReader([]byte(tc.toml))).DisallowUnknownFields()
			err := dec.Decode(&c)
			if err == nil {
				err = c.Validate()
			}
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("valid table refused: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want one naming %q", err, tc.err)
			}
			if tc.err == "" {
				if r := c.For("経理部"); r.FinalAction != Reject || r.EscalateAfter != Duration(4*time.Hour) {
					t.Errorf("経理部 rules %+v", r)
				}
				if r := c.For("総務部"); !r.SelfReleases() || r.FinalAction != Return || r.EscalateTo != "organization" {
					t.Errorf("総務部 rules %+v", r)
				}
				if c.For("営業部").SelfReleases() {
					t.Error("self-release leaked to another department")
				}
			}
		})
	}
}

// TestChain: who is asked, in order — the department's approvers, their
// deputies (configuration before directory), the next level — never the
// sender, nobody twice, and levels without anyone new left out.
func TestChain(t *testing.T) {
	people := []directory.Person{
		{Address: "sato@corp.example", Department: "営業部"},
		{Address: "bucho@corp.example", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}, Deputy: "jicho@corp.example"},
		{Address: "kacho@corp.example", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}, Deputy: "bucho@corp.example"},
		{Address: "jicho@corp.example", Department: "営業部"},
		{Address: "honbu@corp.example", Department: "営業本部", Roles: []directory.Role{directory.RoleApprover}},
		{Address: "shacho@corp.example", Department: "役員室", ApproverOf: []string{"organization"}},
		{Address: "somu@corp.example", Department: "総務部", Roles: []directory.Role{directory.RoleApprover}, Deputy: "sato@corp.example"},
	}
	cur := directory.NewCurrent(directory.New(people, []string{"corp.example"}))
	for _, tc := range []struct {
		name     string
		cfg      Config
		dept     string
		sender   string
		want     []string // levels, each its people joined by ","
		deciders []string // by stage
	}{
		{"deputies then the organisation", Config{}, "営業部", "sato@corp.example",
			[]string{"bucho@corp.example,kacho@corp.example", "jicho@corp.example", "shacho@corp.example"},
			[]string{"", "jicho@corp.example", "jicho@corp.example,shacho@corp.example"}},
		{"a configured deputy nobody of the directory", Config{Deputies: map[string]string{"bucho@corp.example": "gone@corp.example"}},
			"営業部", "sato@corp.example",
			[]string{"bucho@corp.example,kacho@corp.example", "shacho@corp.example"}, nil},
		{"configured deputy and next level", Config{Rules: Rules{EscalateTo: "department:営業本部"}, Deputies: map[string]string{"Bucho@corp.example": "honbu@corp.example"}},
			"営業部", "sato@corp.example",
			[]string{"bucho@corp.example,kacho@corp.example", "honbu@corp.example"},
			[]string{"", "honbu@corp.example"}},
		{"the sender is never asked", Config{}, "総務部", "sato@corp.example",
			[]string{"somu@corp.example", "shacho@corp.example"}, nil},
		{"the approver's own mail", Config{}, "営業部", "bucho@corp.example",
			[]string{"kacho@corp.example", "shacho@corp.example"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Engine{Config: &tc.cfg, People: NewDirectoryPeople(cur, &tc.cfg)}
			it := queue.Item{Department: tc.dept, Outcome: queue.Outcome{Sender: tc.sender}, State: queue.Held}
			var got []string
			for _, l := range e.chain(it, tc.cfg.For(tc.dept)) {
				got = append(got, strings.Join(l.to, ","))
			}
			if strings.Join(got, " | ") != strings.Join(tc.want, " | ") {
				t.Errorf("chain %q, want %q", got, tc.want)
			}
			for stage, want := range tc.deciders {
				it.Stage = stage
				if got := strings.Join(e.Deciders(it), ","); got != want {
					t.Errorf("deciders at stage %d: %q, want %q", stage, got, want)
				}
			}
		})
	}
}
