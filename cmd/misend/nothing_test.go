package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model/mailgen"
	"github.com/misend/misend/internal/store/pgtest"
)

// Commands given nothing to work on say so and fail, instead of
// reporting "0 messages" as success.
func TestNothingToWorkOnIsAnError(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.Path(t, dir, "m.db")
	empty := filepath.Join(dir, "empty")
	binary := filepath.Join(dir, "binary")
	for _, d := range []string{empty, binary} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(binary, "a.bin"), []byte{0x7f, 'E', 'L', 'F', 0, 1, 2, 3, 0xff, 0xfe}, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := [][]string{
		{"import", "--db", db, "--org-domain", "corp.example", empty},
		{"import", "--db", db, "--org-domain", "corp.example", binary},
		{"check", "--db", db, empty},
	}
	for _, args := range tests {
		_, err := runTermsCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), "no messages in") {
			t.Errorf("%v: %v, want a no messages error", args, err)
		}
	}
}

// The import summary counts the organisation's people who sent mail, not
// every address seen.
func TestImportCountsSendersOfTheOrganisation(t *testing.T) {
	dir := t.TempDir()
	org := mailgen.New(mailgen.Config{Seed: 3, Insiders: 40})
	var history []*mail.Message
	senders := map[string]bool{}
	addrs := map[string]bool{}
	org.History(30, 4, func(m *mail.Message) {
		history = append(history, m)
		if strings.HasSuffix(m.From.Addr, "@"+mailgen.OrgDomain) {
			senders[m.From.Addr] = true
		}
		addrs[m.From.Addr] = true
		for _, r := range m.Recipients() {
			addrs[r.Addr] = true
		}
	})
	fakeWalk(t, history)
	out, err := runTermsCLI(t, "import", "--no-fit", "--db", pgtest.Path(t, dir, "m.db"), "--org-domain", mailgen.OrgDomain, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d senders of the organisation", len(senders)); !strings.Contains(out, want) || len(senders) >= len(addrs) {
		t.Errorf("summary %q, want %q (of %d addresses)", out, want, len(addrs))
	}
}
