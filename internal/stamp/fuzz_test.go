package stamp

import (
	"testing"
	"time"
)

// FuzzVerify: any header value is refused or verified without panicking,
// and nothing but a value signed with the key ever verifies.
func FuzzVerify(f *testing.F) {
	k, err := New(secretA)
	if err != nil {
		f.Fatal(err)
	}
	good, err := k.Sign(Claim{Sender: "taro@corp.example", DraftID: "d1", Issued: issued, Expires: issued.Add(time.Hour),
		Recipients: []string{"a@b.example"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("v=1; s=taro@corp.example; d=x; t=1; x=2; r=AAAAAAAA; b=" + "A")
	f.Add("v=1;;;;")
	f.Add("=;=;=")
	f.Add("v=1; m=a; d=b")
	f.Add("v=1; s=a; d=b; t=-1; x=99999999999999999999; r=; b=")
	facts := Facts{Sender: "taro@corp.example", Date: issued, Recipients: []string{"a@b.example", "c@d.example"}}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := k.Verify(v, facts, issued)
		if err == nil && v != good {
			// Folding whitespace is the only change a valid stamp survives.
			if _, perr := parse(v); perr != nil {
				t.Fatalf("verified a value that does not parse: %q", v)
			}
		}
		if err != nil && got != nil {
			t.Fatalf("recipients %v with error %v", got, err)
		}
	})
}

// FuzzValues: any octets give at most eight stamps, each from the header
// section, without panicking.
func FuzzValues(f *testing.F) {
	f.Add([]byte("X-Misend-Confirmed: v=1\r\n folded\r\nSubject: x\r\n\r\nX-Misend-Confirmed: body\r\n"))
	f.Add([]byte("x-misend-confirmed:\n\n"))
	f.Add([]byte(" leading fold\r\nX-Misend-Confirmed: a\r\n"))
	f.Add([]byte("X-Misend-Confirmed: a\rb\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		vs := Values(raw)
		if len(vs) > 8 {
			t.Fatalf("%d stamps", len(vs))
		}
		for _, v := range vs {
			if len(v) > len(raw) {
				t.Fatalf("a stamp longer than the message")
			}
		}
	})
}
