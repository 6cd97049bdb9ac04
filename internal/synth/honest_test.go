package synth

import (
	"strings"
	"testing"
	"time"
)

// TestHonestVariety checks that the history has the honest irregularities
// real mail has, each at a plausible share of what insiders send: people
// added to threads (some from other departments), forwards, several
// partners on one message, late and weekend mail, assistants writing for
// heads, first mail to new companies and new partner people, newcomers'
// welcome, and greetings that name nobody or a team.
func TestHonestVariety(t *testing.T) {
	o := small(t, 7, 300, 120)
	g := o.newGen(true)
	n := map[string]int{}
	sent := 0
	g.watch = func(e *event) {
		if e.from.kind != pPerson {
			return
		}
		sent++
		if h := e.at.Hour(); h >= 19 || h < 7 {
			n["late"]++
		}
		if wd := e.at.Weekday(); wd == time.Saturday || wd == time.Sunday {
			n["weekend"]++
		}
		for _, a := range e.added {
			if a.kind == pPerson && o.People[a.id].Dept != o.People[e.from.id].Dept {
				n["added from another department"]++
			}
		}
		if len(e.added) > 0 && e.internalOnly {
			n["added to an internal thread"]++
		}
		if e.kind == kFwd {
			n["forward"]++
		}
		companies := map[int]bool{}
		for _, l := range [][]party{e.to, e.cc} {
			for _, x := range l {
				if x.kind == pContact {
					companies[o.Contacts[x.id].Partner] = true
				}
			}
		}
		if len(companies) > 1 {
			n["several partners"]++
		}
		if e.forBoss {
			n["for the head"]++
		}
		if e.first {
			n["first mail to a new company"]++
		}
		if len(e.to) > 0 && e.to[0].kind == pContact && len(e.cc) > 0 && e.cc[0].kind == pContact && o.Contacts[e.cc[0].id].arrival == metWithColleague && o.Contacts[e.cc[0].id].Joins == g.day {
			n["new partner person in copy"]++
		}
		if strings.HasPrefix(e.subject, "【ご紹介】本日着任") {
			n["welcome"]++
		}
		body := e.text
		if i := strings.Index(body, "\n"); i >= 0 {
			body = body[:i]
		}
		switch {
		case strings.HasPrefix(e.text, "お疲れさまです。"):
			n["no greeting"]++
		case strings.Contains(body, "各位") || strings.Contains(body, "皆さん"):
			n["各位 or 皆さん"]++
		}
	}
	if err := g.run(func(*event) error { return nil }); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d sent by insiders: %v", sent, n)
	tests := []struct {
		what     string
		min, max float64 // share of insiders' mail
	}{
		{"late", 0.05, 0.20},
		{"weekend", 0.005, 0.06},
		{"added from another department", 0.001, 0.02},
		{"added to an internal thread", 0.002, 0.05},
		{"forward", 0.005, 0.05},
		{"several partners", 0.002, 0.05},
		{"for the head", 0.001, 0.03},
		{"first mail to a new company", 0.0005, 0.01},
		{"new partner person in copy", 0.00005, 0.005},
		{"welcome", 0.0001, 0.005},
		{"no greeting", 0.02, 0.2},
		{"各位 or 皆さん", 0.005, 0.1},
	}
	for _, tt := range tests {
		if s := float64(n[tt.what]) / float64(sent); s < tt.min || s > tt.max {
			t.Errorf("%s: %d of %d sent (%.3f%%), want %.3f–%.3f%%", tt.what, n[tt.what], sent, 100*s, 100*tt.min, 100*tt.max)
		}
	}
}

// TestRomajiDisplayNames: some partners' mail systems show romaji names,
// and greetings still use the kanji surname; English mail greets Japanese
// names as Tanaka-san.
func TestRomajiDisplayNames(t *testing.T) {
	o := small(t, 7, 100, 10)
	g := o.newGen(true)
	romaji := 0
	for ci, c := range o.Contacts {
		d := g.displayName(party{pContact, ci})
		if d != c.Name {
			romaji++
			if c.English || !strings.Contains(strings.ToLower(d), strings.ToLower(c.roman[0])) {
				t.Errorf("contact %s shown as %q", c.Name, d)
			}
		}
	}
	if romaji == 0 || romaji > len(o.Contacts)/2 {
		t.Errorf("%d of %d contacts shown in romaji", romaji, len(o.Contacts))
	}
	for _, p := range o.People {
		if !p.English {
			if got := g.enName(party{pPerson, p.ID}); got != p.roman[0]+"-san" || strings.ContainsAny(got, "田中佐藤") {
				t.Errorf("%s greeted in English as %q", p.Name, got)
			}
			break
		}
	}
}
