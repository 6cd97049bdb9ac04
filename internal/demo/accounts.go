package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/synth"
)

// Password is every demo account's password: the demo runs on loopback
// with made-up people, and a visitor must be able to sign in as each.
const Password = "misend-demo-2026"

// account is a web sign-in made for the demo.
type account struct {
	role, address, name string
}

// makeAccounts signs up one person per part of the web UI: a sender with
// mail waiting for confirmation, the approver of a department with held
// mail, the operator who curates term lists, and the auditor.
func makeAccounts(ctx context.Context, org *learned) ([]account, error) {
	dir, err := directory.Load(ctx, org.db)
	if err != nil {
		return nil, err
	}
	as, err := auth.Open(ctx, org.db, dir)
	if err != nil {
		return nil, err
	}
	people := map[string]synth.Person{}
	for _, p := range org.synth.People {
		people[p.Address] = p
	}
	var out []account
	add := func(role string, p synth.Person) {
		if p.Address == "" {
			return
		}
		// One person may play two parts: the sender approves for their
		// own department.
		if i := slices.IndexFunc(out, func(a account) bool { return a.address == p.Address }); i >= 0 {
			out[i].role += " and " + role
			return
		}
		out = append(out, account{role: role, address: p.Address, name: p.Name})
	}
	if p, ok := people[firstSender(org, policy.Confirm, policy.Delay, policy.Hold, policy.Warn)]; ok {
		add("sender", p)
	}
	if p, ok := people[firstSender(org, policy.Hold)]; ok {
		d := org.synth.Departments[p.Dept]
		if len(d.Approvers) > 0 {
			add("approver of "+d.Name, org.synth.People[d.Approvers[0]])
		}
	}
	for _, p := range org.synth.People {
		switch {
		case slices.Contains(p.Roles, "operator"):
			add("operator and admin", p)
		case slices.Contains(p.Roles, "auditor"):
			add("auditor", p)
		}
	}
	for _, a := range out {
		if err := as.AddAccount(ctx, a.address, Password, nil); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	return out, nil
}

// firstSender is the sender of the first scenario decided with one of vs.
func firstSender(org *learned, vs ...policy.Verdict) string {
	for _, v := range vs {
		for _, o := range org.outcomes {
			if o.verdict == v {
				return o.sender
			}
		}
	}
	return ""
}
