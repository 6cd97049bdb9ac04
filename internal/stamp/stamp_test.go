package stamp

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	secretA = []byte("0123456789abcdef0123456789abcdef")
	secretB = []byte("fedcba9876543210fedcba9876543210")
	issued  = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
)

func keys(t *testing.T, secret []byte) *Keys {
	t.Helper()
	k, err := New(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVerify(t *testing.T) {
	k := keys(t, secretA)
	claim := Claim{Sender: "Taro@corp.example", DraftID: "draft-1", Issued: issued, Expires: issued.Add(time.Hour),
		Recipients: []string{"Tanaka@partner-b.example", "sato@partner-c.example"}}
	sign := func(c Claim) string {
		v, err := k.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	good := sign(claim)
	withID := claim
	withID.MessageID = "<abc@corp.example>"
	boundToID := sign(withID)
	// A stamp made with the same secret for another person, then
	// relabelled as taro's: the per-person key tells.
	jiro := claim
	jiro.Sender = "jiro@corp.example"
	relabelled := strings.Replace(sign(jiro), "s=jiro@corp.example", "s=taro@corp.example", 1)
	facts := Facts{Sender: "taro@corp.example", MessageID: "<abc@corp.example>", Date: issued.Add(time.Minute),
		Recipients: []string{"tanaka@partner-b.example", "sato@partner-c.example", "yamada@partner-d.example"}}
	now := issued.Add(2 * time.Minute)

	tests := []struct {
		name  string
		keys  *Keys
		value string
		facts func(f *Facts)
		now   time.Time
		want  []string
		err   error
	}{
		{name: "valid: the confirmed recipients, not the others", value: good,
			want: []string{"tanaka@partner-b.example", "sato@partner-c.example"}},
		{name: "valid when an MTA folded it", value: strings.ReplaceAll(good, "; ", ";\r\n "),
			want: []string{"tanaka@partner-b.example", "sato@partner-c.example"}},
		{name: "a confirmed recipient removed before sending", value: good,
			facts: func(f *Facts) { f.Recipients = []string{"sato@partner-c.example", "yamada@partner-d.example"} },
			want:  []string{"sato@partner-c.example"}},
		{name: "bound to the Message-ID", value: boundToID, want: []string{"tanaka@partner-b.example", "sato@partner-c.example"}},
		{name: "another message", value: boundToID, facts: func(f *Facts) { f.MessageID = "<other@corp.example>" }, err: ErrOtherMsg},
		{name: "altered recipient", value: alterField(good, "r", func(v string) string { return "AAAAAAAA" + v[8:] }), err: ErrForged},
		{name: "recipient added to the stamp", value: alterField(good, "r", func(v string) string { return v + "AAAAAAAA" }), err: ErrForged},
		{name: "altered issue date", value: alterField(good, "t", func(string) string { return "1700000000" }), err: ErrForged},
		{name: "altered expiry", value: alterField(good, "x", func(string) string { return "4102444800" }), err: ErrForged},
		{name: "message Date long before the confirmation", value: good, facts: func(f *Facts) { f.Date = issued.Add(-24 * time.Hour) }, err: ErrDate},
		{name: "message Date after the stamp ran out", value: good, facts: func(f *Facts) { f.Date = issued.Add(3 * time.Hour) }, now: issued.Add(30 * time.Minute), err: ErrDate},
		{name: "no Date", value: good, facts: func(f *Facts) { f.Date = time.Time{} }, err: ErrDate},
		{name: "expired", value: good, now: issued.Add(61 * time.Minute), err: ErrExpired},
		{name: "another installation's key", keys: keys(t, secretB), value: good, err: ErrForged},
		{name: "other user's key", value: relabelled, err: ErrForged},
		{name: "replayed to another sender", value: good, facts: func(f *Facts) { f.Sender = "jiro@corp.example" }, err: ErrOtherSender},
		{name: "signature cut", value: alterField(good, "b", func(v string) string { return v[:40] }), err: ErrMalformed},
		{name: "unknown field", value: good + "; z=1", err: ErrMalformed},
		{name: "field twice", value: good + "; s=jiro@corp.example", err: ErrMalformed},
		{name: "empty", value: "", err: ErrMalformed},
		{name: "version 2", value: strings.Replace(good, "v=1", "v=2", 1), err: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kk := k
			if tt.keys != nil {
				kk = tt.keys
			}
			f := facts
			f.Recipients = slices.Clone(facts.Recipients)
			if tt.facts != nil {
				tt.facts(&f)
			}
			n := now
			if !tt.now.IsZero() {
				n = tt.now
			}
			got, err := kk.Verify(tt.value, f, n)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("confirmed %v, want %v", got, tt.want)
			}
			if r := Reason(err); (err == nil) != (r == "valid") {
				t.Errorf("reason %q for %v", r, err)
			}
		})
	}
}

// alterField rewrites one field of a stamp.
func alterField(v, name string, fn func(string) string) string {
	parts := strings.Split(v, "; ")
	for i, p := range parts {
		if k, val, _ := strings.Cut(p, "="); k == name {
			parts[i] = k + "=" + fn(val)
		}
	}
	return strings.Join(parts, "; ")
}

func TestSignRefuses(t *testing.T) {
	k := keys(t, secretA)
	many := make([]string, MaxRecipients+1)
	for i := range many {
		many[i] = strings.Repeat("a", i%7+1) + string(rune('a'+i%26)) + "@x" + string(rune('a'+i/26)) + ".example"
	}
	ok := Claim{Sender: "taro@corp.example", DraftID: "d", Issued: issued, Expires: issued.Add(time.Hour), Recipients: []string{"a@b.example"}}
	tests := []struct {
		name string
		edit func(*Claim)
		err  error
	}{
		{"no sender", func(c *Claim) { c.Sender = "" }, ErrMalformed},
		{"a sender with a space", func(c *Claim) { c.Sender = "taro @corp.example" }, ErrMalformed},
		{"no id", func(c *Claim) { c.DraftID = "" }, ErrMalformed},
		{"an id that would end the field", func(c *Claim) { c.DraftID = "a;b=c" }, ErrMalformed},
		{"expires before issued", func(c *Claim) { c.Expires = issued.Add(-time.Second) }, ErrMalformed},
		{"no recipients", func(c *Claim) { c.Recipients = nil }, ErrMalformed},
		{"too many recipients", func(c *Claim) { c.Recipients = many }, ErrTooLarge},
		{"a long Message-ID with many recipients still fits one line", func(c *Claim) {
			c.MessageID = strings.Repeat("m", 250)
			c.Sender = strings.Repeat("s", 60) + "@corp.example"
			c.Recipients = many[:MaxRecipients]
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			v, err := k.Sign(c)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil && len(Header)+2+len(v) > 998 {
				t.Errorf("a line of %d octets", len(Header)+2+len(v))
			}
		})
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("a short secret was taken")
	}
}

func TestValues(t *testing.T) {
	tests := []struct {
		raw  string
		want []string
	}{
		{"From: a@b\r\nX-Misend-Confirmed: v=1; s=a\r\n b=2\r\nSubject: x\r\n\r\nX-Misend-Confirmed: body\r\n", []string{"v=1; s=a b=2"}},
		{"x-misend-confirmed:one\r\nX-MISEND-CONFIRMED: two\r\n\r\n", []string{"one", "two"}},
		{"X-Misend-Confirmed-Not: x\r\nX-Misend-Verdict: pass\r\n\r\n", nil},
		{"X-Misend-Confirmed: last line without end", []string{"last line without end"}},
		{"From: a@b\nX-Misend-Confirmed: lf\n\nX-Misend-Confirmed: in the body\n", []string{"lf"}},
		{strings.Repeat("X-Misend-Confirmed: n\r\n", 20) + "\r\n", slices.Repeat([]string{"n"}, 8)},
	}
	for _, tt := range tests {
		if got := Values([]byte(tt.raw)); !slices.Equal(got, tt.want) {
			t.Errorf("Values(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
