package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParsePHC feeds arbitrary stored hashes to the parser: no panic, and
// whatever it accepts stays within the bounds that keep a sign-in cheap.
func FuzzParsePHC(f *testing.F) {
	f.Add(hashPassword("seed password 1"))
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=4294967295,t=4294967295,p=255$$")
	f.Add("$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, ok := parsePHC(s)
		if ok && (h.m > 256*1024 || h.t > 10 || h.p > 16 || len(h.key) > 64 || len(h.salt) > 64) {
			t.Fatalf("accepted expensive parameters: %+v", h)
		}
	})
}

// FuzzAuthenticateToken sends arbitrary bearer strings: every one is
// refused with ErrBadToken, never a panic or another error, and only the
// real secret is accepted.
func FuzzAuthenticateToken(f *testing.F) {
	s := openTest(f)
	ctx := context.Background()
	secret, _, err := s.CreateToken(ctx, "sato@corp.example", "fuzz", nil, time.Time{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(secret[:len(secret)-1])
	f.Add("msd_" + strings.Repeat("A", 43))
	f.Add("msd_' OR 1=1 --")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := s.AuthenticateToken(ctx, tok)
		if tok == secret {
			if err != nil || p.Address != "sato@corp.example" {
				t.Fatalf("real token refused: %v", err)
			}
			return
		}
		if !errors.Is(err, ErrBadToken) {
			t.Fatalf("token %q: %v", tok, err)
		}
	})
}
