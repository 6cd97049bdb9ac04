package auth

import (
	"context"
	"testing"
	"time"
)

// BenchmarkLogin is one password sign-in: argon2id (19 MiB, 2 passes) plus
// two SQLite statements. Its cost is the point: it bounds guessing.
func BenchmarkLogin(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	if err := s.AddAccount(ctx, "sato@corp.example", "correct horse battery", nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Login(ctx, "sato@corp.example", "correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSession is the per-request cost of a signed-in page: the
// session row, the account's extra roles, the principal from the
// directory and the language preference.
func BenchmarkSession(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	cookie, _, err := s.StartSession(ctx, "boss@corp.example", "password")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Session(ctx, cookie); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateToken is the per-call cost of an API token.
func BenchmarkAuthenticateToken(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	secret, _, err := s.CreateToken(ctx, "sato@corp.example", "bench", nil, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.AuthenticateToken(ctx, secret); err != nil {
			b.Fatal(err)
		}
	}
}
