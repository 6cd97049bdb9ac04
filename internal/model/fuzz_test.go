package model

import (
	"bytes"
	"os"
	"testing"
)

// FuzzDecode feeds Decode damaged snapshots: a database row can be cut
// short or overwritten, and loading must then fail with an error, not
// panic or build a model with dangling ids.
func FuzzDecode(f *testing.F) {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	m.Learn(msg("1", t0, "a@corp.example", "b@y.example", "c@corp.example"))
	r := msg("2", t0, "c@corp.example", "a@corp.example")
	r.InReplyTo = "1"
	m.Learn(r)
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"))
	// The format before streaming, as older databases hold it.
	if v1, err := os.ReadFile("testdata/snapshot-v1.gz"); err == nil {
		f.Add(v1)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Decode(bytes.NewReader(b), Config{})
		if err != nil {
			return
		}
		// Whatever decoded must answer queries without panicking.
		l.Contacts("a@corp.example", t0)
		l.Thread("1", nil)
		l.Names("b@y.example")
		l.Habits("a@corp.example", t0)
		l.Learn(msg("3", t0, "a@corp.example", "b@y.example"))
	})
}
