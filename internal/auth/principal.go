// Package auth says who is asking: local accounts (argon2id password hashes,
// the same work for every answer), OIDC sign-in, server-side sessions with a
// CSRF token each, and hashed API bearer tokens. Every way in ends in a
// Principal whose roles and departments come from internal/directory.
//
// It deliberately does not decide what a principal may do on a given page or
// API route (internal/web and internal/api do, with the helpers here), and it
// keeps no secret in clear: passwords, session identifiers and API tokens are
// stored only as hashes.
package auth

import (
	"slices"
	"strings"

	"github.com/misend/misend/internal/directory"
)

// Role is what a principal may do; the same values as the directory's.
type Role = directory.Role

// Roles a principal may hold.
const (
	RoleSender   = directory.RoleSender
	RoleApprover = directory.RoleApprover
	RoleOperator = directory.RoleOperator
	RoleAuditor  = directory.RoleAuditor
	RoleAdmin    = directory.RoleAdmin
)

// Principal is an authenticated person (or the person an API token acts
// for).
type Principal struct {
	Address string `json:"address"`
	Name    string `json:"name,omitempty"`
	// Department is the principal's own department; "" when unknown.
	Department string `json:"department,omitempty"`
	Roles      []Role `json:"roles"`
	// Departments are the departments whose held mail this principal
	// approves (from the directory's approver scopes).
	Departments []string `json:"departments,omitempty"`
	// Groups whose held mail and list changes this principal approves.
	Groups []string `json:"groups,omitempty"`
	// ApprovesOrganization: approver of the "organization" scope.
	ApprovesOrganization bool `json:"approves_organization,omitempty"`
	// Lang is the preferred language ("ja", "en"); "" means use the
	// browser's Accept-Language.
	Lang string `json:"lang,omitempty"`
}

// Has tells whether p holds role. Every known person is a sender: a person
// in the directory may always act on their own mail.
func (p *Principal) Has(role Role) bool {
	if p == nil {
		return false
	}
	return slices.Contains(p.Roles, role)
}

// Any tells whether p holds at least one of roles.
func (p *Principal) Any(roles ...Role) bool {
	return slices.ContainsFunc(roles, p.Has)
}

// ApprovesDepartment tells whether p may release or reject held mail of
// department dept: an approver scoped to it, or an approver of the whole
// organisation.
func (p *Principal) ApprovesDepartment(dept string) bool {
	if p == nil || !p.Has(RoleApprover) && !p.ApprovesOrganization {
		return false
	}
	return p.ApprovesOrganization || dept != "" && slices.Contains(p.Departments, dept)
}

// ApprovesScope tells whether p approves a terms scope ("department:NAME",
// "group:NAME" or "organization").
func (p *Principal) ApprovesScope(scope string) bool {
	if p == nil {
		return false
	}
	switch {
	case scope == "organization":
		return p.ApprovesOrganization
	case strings.HasPrefix(scope, "department:"):
		return slices.Contains(p.Departments, strings.TrimPrefix(scope, "department:"))
	case strings.HasPrefix(scope, "group:"):
		return slices.Contains(p.Groups, strings.TrimPrefix(scope, "group:"))
	}
	return false
}

// Directory is what a Principal is built from; *directory.Directory
// implements it.
type Directory interface {
	Person(addr string) (directory.Person, bool)
	ApproversOfScope(scope string) []string
}

// PrincipalFor builds the principal for addr from the directory, adding
// extra roles granted to a local account (e.g. the first admin, before any
// directory is imported). ok is false when addr is neither in the
// directory nor given any extra role: such a person may not sign in.
func PrincipalFor(dir Directory, addr string, extra []Role) (p Principal, ok bool) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	p = Principal{Address: addr}
	var person directory.Person
	found := false
	if dir != nil {
		person, found = dir.Person(addr)
	}
	if found {
		// Sign-in through an alias acts as the person.
		p.Address, p.Name, p.Department, p.Lang = person.Address, person.Name, person.Department, person.Lang
		p.Roles = slices.Clone(person.Roles)
		if !slices.Contains(p.Roles, RoleSender) {
			p.Roles = append(p.Roles, RoleSender)
		}
		for _, s := range approverScopes(person) {
			switch {
			case s == "organization":
				p.ApprovesOrganization = true
			case strings.HasPrefix(s, "department:"):
				p.Departments = append(p.Departments, strings.TrimPrefix(s, "department:"))
			case strings.HasPrefix(s, "group:"):
				p.Groups = append(p.Groups, strings.TrimPrefix(s, "group:"))
			}
		}
		// Admins stand in for the organisation's approver when none is
		// named; the directory says so through ApproversOfScope.
		if !p.ApprovesOrganization && slices.Contains(dir.ApproversOfScope("organization"), p.Address) {
			p.ApprovesOrganization = true
		}
	}
	for _, r := range extra {
		if !slices.Contains(p.Roles, r) {
			p.Roles = append(p.Roles, r)
		}
	}
	if !found && len(p.Roles) == 0 {
		return Principal{}, false
	}
	if (len(p.Departments) > 0 || len(p.Groups) > 0 || p.ApprovesOrganization) && !slices.Contains(p.Roles, RoleApprover) {
		p.Roles = append(p.Roles, RoleApprover)
	}
	slices.Sort(p.Roles)
	slices.Sort(p.Departments)
	slices.Sort(p.Groups)
	return p, true
}

// approverScopes mirrors the directory's rule: explicit approver_of scopes,
// or the own department for an approver without any.
func approverScopes(p directory.Person) []string {
	if len(p.ApproverOf) > 0 {
		return p.ApproverOf
	}
	if slices.Contains(p.Roles, RoleApprover) && p.Department != "" {
		return []string{"department:" + p.Department}
	}
	return nil
}
