package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSynthCommand(t *testing.T) {
	dir := t.TempDir()
	out, sc := filepath.Join(dir, "hist"), filepath.Join(dir, "sc")
	run := func(format string) {
		c := &synthCmd{Seed: 4, People: 120, Days: 60, Start: "2025-04-01", Rate: 0.22, Domain: "corp.example", Format: format, Out: out, Scenarios: sc}
		if err := c.Run(&Globals{}); err != nil {
			t.Fatal(err)
		}
	}
	run("mbox")
	csv, err := os.ReadFile(filepath.Join(out, "directory.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(csv), "\n"); lines != 121 || !bytes.HasPrefix(csv, []byte("address,name,department,groups,roles\n")) {
		t.Errorf("directory.csv: %d lines", lines)
	}
	sent, _ := filepath.Glob(filepath.Join(out, "*", "sent.mbox"))
	if len(sent) < 100 {
		t.Errorf("%d sent mailboxes for 120 people", len(sent))
	}
	emls, _ := filepath.Glob(filepath.Join(sc, "*.eml"))
	if len(emls) < 9 {
		t.Errorf("%d scenario files", len(emls))
	}

	// Bad options fail with a message, not a panic.
	for _, c := range []*synthCmd{
		{People: 0, Days: 10, Start: "2025-04-01", Rate: 1, Domain: "corp.example", Out: dir},
		{People: 10, Days: 10, Start: "April", Rate: 1, Domain: "corp.example", Out: dir},
		{People: 10, Days: 10, Start: "2025-04-01", Rate: 1, Domain: "corp.example"},
	} {
		if err := c.Run(&Globals{}); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}
