package postfix

import (
	"bytes"
	"testing"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/synth"
	"github.com/misend/misend/internal/terms"
)

// generated is a synthetic organisation whose history misend has learned,
// with the demo scenarios dated just after that history.
type generated struct {
	org       *synth.Org
	svc       *decide.Path
	scenarios map[string]synth.Scenario
	now       time.Time // the end of the history
}

// sitePolicy is misend's default policy plus what a site typically adds:
// card numbers and the like never leave.
func sitePolicy() policy.Config {
	c := policy.DefaultConfig()
	c.Default.Codes[finding.PersonalData] = policy.Reject
	return c
}

// generatedHistory learns a small synthetic organisation's history through
// the real parser and model, as `misend import` would, and builds the
// decision path over it with pol (the policy a site would configure).
func generatedHistory(t testing.TB, pol policy.Config) *generated {
	t.Helper()
	opt := synth.DefaultOptions()
	opt.People, opt.Days = 150, 120
	// The history ends today, so the scenarios are sent "now": the gateway
	// decides by the wall clock, and a stale history would decay away.
	today := time.Now().In(opt.Start.Location())
	opt.Start = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location()).AddDate(0, 0, -opt.Days)
	org, err := synth.New(11, opt)
	if err != nil {
		t.Fatal(err)
	}
	var people []directory.Person
	for _, p := range org.People {
		people = append(people, directory.Person{Address: p.Address, Name: p.Name, Department: org.Departments[p.Dept].Name})
	}
	dir := directory.New(people, []string{opt.Domain})
	m := model.New(model.Config{OrgDomains: []string{opt.Domain}, Department: dir.DepartmentOf})
	n := 0
	err = org.Messages(func(sm *synth.Mail) error {
		msg, err := mail.Parse(bytes.NewReader(sm.Raw), mail.Limits{})
		if err != nil {
			return err
		}
		m.Learn(msg)
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	scs, err := org.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	g := &generated{org: org, scenarios: map[string]synth.Scenario{}, now: opt.Start.AddDate(0, 0, opt.Days)}
	for _, s := range scs {
		g.scenarios[s.Name] = s
	}
	p, err := policy.New(pol)
	if err != nil {
		t.Fatal(err)
	}
	g.svc = check.Path(&detect.Detector{Model: m, Content: []detect.ContentChecker{terms.NewCheckerFrom(dir, nil, nil, nil)}},
		p, check.Fixed{Directory: dir})
	t.Logf("learned %d generated messages", n)
	return g
}

// scenario returns the named demo message and its envelope.
func (g *generated) scenario(t testing.TB, name string) (from string, to []string, raw []byte) {
	t.Helper()
	s, ok := g.scenarios[name]
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	msg, err := mail.Parse(bytes.NewReader(s.Raw), mail.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range msg.Recipients() {
		to = append(to, a.Addr)
	}
	return msg.From.Addr, to, s.Raw
}
