package notify

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func TestTokenRoundTrip(t *testing.T) {
	s, err := NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	g := Grant{Action: ActRelease, QueueID: "q-123", Actor: "boss@corp.example", Expires: now.Add(time.Hour)}
	tok := s.Sign(g)
	got, err := s.Verify(tok, now)
	if err != nil {
		t.Fatal(err)
	}
	if got != g {
		t.Fatalf("got %+v, want %+v", got, g)
	}
	if strings.ContainsAny(tok, "/+=?&# ") {
		t.Errorf("token %q is not URL-safe", tok)
	}
}

func TestTokenRejects(t *testing.T) {
	s, _ := NewSigner(testKey)
	other, _ := NewSigner(bytes.Repeat([]byte{8}, 32))
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	g := Grant{Action: ActCancel, QueueID: "q-1", Actor: "s@corp.example", Expires: now.Add(time.Hour)}
	tok := s.Sign(g)
	p64, m64, _ := strings.Cut(tok, ".")
	forged := s.Sign(Grant{Action: ActRelease, QueueID: "q-1", Actor: "s@corp.example", Expires: now.Add(time.Hour)})
	fp64, _, _ := strings.Cut(forged, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[3] == 'A' {
			b[3] = 'B'
		} else {
			b[3] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"expired exactly at expiry", tok, now.Add(time.Hour), ErrExpired},
		{"expired later", tok, now.Add(48 * time.Hour), ErrExpired},
		{"payload swapped (cancel → release)", fp64 + "." + m64, now, ErrSignature},
		{"payload bit flipped", flip(p64) + "." + m64, now, ErrSignature},
		{"mac bit flipped", p64 + "." + flip(m64), now, ErrSignature},
		{"mac truncated", p64 + "." + m64[:10], now, ErrSignature},
		{"other key", other.Sign(g), now, ErrSignature},
		{"no dot", p64 + m64, now, ErrMalformed},
		{"empty", "", now, ErrMalformed},
		{"not base64", "!!!.???", now, ErrMalformed},
		{"huge", strings.Repeat("A", 10000) + "." + m64, now, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Verify(tt.token, tt.at); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.Verify(tok, now.Add(59*time.Minute)); err != nil {
		t.Fatalf("valid just before expiry: %v", err)
	}
}

func TestSignerKeyLength(t *testing.T) {
	if _, err := NewSigner(make([]byte, 16)); err == nil {
		t.Fatal("16-byte key accepted")
	}
}
