package auth

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

func testDir() *directory.Directory {
	return directory.New([]directory.Person{
		{Address: "sato@corp.example", Name: "佐藤", Department: "営業部", Roles: []directory.Role{directory.RoleSender}, Aliases: []string{"s.sato@corp.example"}},
		{Address: "boss@corp.example", Name: "Boss", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}},
		{Address: "multi@corp.example", Name: "Multi", Department: "総務部", Roles: []directory.Role{directory.RoleApprover}, ApproverOf: []string{"department:経理部", "group:X"}},
		{Address: "root@corp.example", Name: "Root", Department: "情報システム部", Roles: []directory.Role{directory.RoleAdmin}},
	}, nil)
}

func openTest(t testing.TB) *Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(ctx, db, testDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPrincipalFor(t *testing.T) {
	d := testDir()
	tests := []struct {
		addr      string
		extra     []Role
		ok        bool
		roles     []Role
		approves  []string
		notApprov []string
		org       bool
	}{
		{addr: "sato@corp.example", ok: true, roles: []Role{RoleSender}, notApprov: []string{"営業部"}},
		{addr: "S.Sato@corp.example", ok: true, roles: []Role{RoleSender}},
		{addr: "boss@corp.example", ok: true, roles: []Role{RoleApprover, RoleSender}, approves: []string{"営業部"}, notApprov: []string{"経理部"}},
		{addr: "multi@corp.example", ok: true, roles: []Role{RoleApprover, RoleSender}, approves: []string{"経理部"}, notApprov: []string{"総務部"}},
		{addr: "root@corp.example", ok: true, roles: []Role{RoleAdmin, RoleApprover, RoleSender}, approves: []string{"営業部", "経理部"}, org: true},
		{addr: "stranger@else.example", ok: false},
		{addr: "bootstrap@corp.example", extra: []Role{RoleAdmin}, ok: true, roles: []Role{RoleAdmin}},
	}
	for _, tt := range tests {
		p, ok := PrincipalFor(d, tt.addr, tt.extra)
		if ok != tt.ok {
			t.Errorf("%s: ok %v, want %v", tt.addr, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if !slices.Equal(p.Roles, tt.roles) {
			t.Errorf("%s: roles %v, want %v", tt.addr, p.Roles, tt.roles)
		}
		for _, dep := range tt.approves {
			if !p.ApprovesDepartment(dep) {
				t.Errorf("%s should approve %s", tt.addr, dep)
			}
		}
		for _, dep := range tt.notApprov {
			if p.ApprovesDepartment(dep) {
				t.Errorf("%s should not approve %s", tt.addr, dep)
			}
		}
		if p.ApprovesOrganization != tt.org {
			t.Errorf("%s: approves organisation %v", tt.addr, p.ApprovesOrganization)
		}
	}
	p, _ := PrincipalFor(d, "s.sato@corp.example", nil)
	if p.Address != "sato@corp.example" {
		t.Errorf("alias sign-in acts as %q", p.Address)
	}
	if p, _ := PrincipalFor(d, "multi@corp.example", nil); !p.ApprovesScope("group:X") || p.ApprovesScope("group:Y") || p.ApprovesScope("organization") {
		t.Errorf("multi scopes wrong: %+v", p)
	}
}

func TestTokens(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	if _, _, err := s.CreateToken(ctx, "stranger@else.example", "addin", nil, time.Time{}); !errors.Is(err, ErrUnknownPerson) {
		t.Fatalf("token for a stranger: %v", err)
	}
	if _, _, err := s.CreateToken(ctx, "sato@corp.example", "addin", []Role{"god"}, time.Time{}); err == nil {
		t.Fatal("unknown role accepted")
	}
	secret, tok, err := s.CreateToken(ctx, "sato@corp.example", "outlook add-in", nil, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.AuthenticateToken(ctx, secret)
	if err != nil || p.Address != "sato@corp.example" || p.Department != "営業部" {
		t.Fatalf("authenticate: %+v %v", p, err)
	}
	for _, bad := range []string{"", "msd_", secret + "x", secret[:len(secret)-1], "Bearer " + secret} {
		if _, err := s.AuthenticateToken(ctx, bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	now = now.Add(2 * time.Hour)
	if _, err := s.AuthenticateToken(ctx, secret); !errors.Is(err, ErrBadToken) {
		t.Errorf("expired token accepted: %v", err)
	}
	secret2, tok2, err := s.CreateToken(ctx, "sato@corp.example", "script", nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateToken(ctx, secret2); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, tok2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateToken(ctx, secret2); !errors.Is(err, ErrBadToken) {
		t.Errorf("revoked token accepted: %v", err)
	}
	if err := s.RevokeToken(ctx, 999); err == nil {
		t.Error("revoking a missing token succeeded")
	}
	list, err := s.Tokens(ctx, "sato@corp.example")
	if err != nil || len(list) != 2 || list[0].ID != tok2.ID || list[1].ID != tok.ID || list[0].Revoked.IsZero() || list[0].LastUsed.IsZero() {
		t.Fatalf("tokens: %+v %v", list, err)
	}
	// Someone who left the directory loses the token's rights.
	secret4, _, err := s.CreateToken(ctx, "boss@corp.example", "y", nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetDirectory(directory.New(nil, []string{"corp.example"}))
	secret3, _, err := s.CreateToken(ctx, "root@corp.example", "x", []Role{RoleAuditor}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateToken(ctx, secret4); !errors.Is(err, ErrBadToken) {
		t.Errorf("token of a person gone from the directory: %v", err)
	}
	if p, err := s.AuthenticateToken(ctx, secret3); err != nil || p.Has(RoleAdmin) || !p.Has(RoleAuditor) {
		t.Fatalf("extra-role token after directory change: %+v %v", p, err)
	}
}
