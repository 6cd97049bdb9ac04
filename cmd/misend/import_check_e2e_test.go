package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model/mailgen"
	"github.com/misend/misend/internal/store/pgtest"
)

// eml renders m as an RFC 5322 message file.
func eml(m *mail.Message) string {
	var b strings.Builder
	list := func(as []mail.Address) string {
		var s []string
		for _, a := range as {
			s = append(s, fmt.Sprintf("%q <%s>", a.Name, a.Addr))
		}
		return strings.Join(s, ", ")
	}
	fmt.Fprintf(&b, "Message-ID: <%s>\r\nDate: %s\r\nFrom: %s\r\nTo: %s\r\n", m.MessageID, m.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700"), list([]mail.Address{m.From}), list(m.To))
	if len(m.Cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\r\n", list(m.Cc))
	}
	if m.InReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", m.InReplyTo, m.InReplyTo)
	}
	fmt.Fprintf(&b, "Subject: report %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s", m.MessageID, strings.ReplaceAll(m.Text, "\n", "\r\n"))
	return b.String()
}

// TestImportCheckBinary builds misend and runs import twice and check on
// real files, through the real parser and importer. It skips while those
// report that they are not implemented.
func TestImportCheckBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "misend")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	hist := filepath.Join(dir, "history")
	os.Mkdir(hist, 0o755)
	org := mailgen.New(mailgen.Config{Seed: 4, Insiders: 30})
	n := 0
	org.History(40, 3, func(m *mail.Message) {
		n++
		os.WriteFile(filepath.Join(hist, fmt.Sprintf("%05d.eml", n)), []byte(eml(m)), 0o600)
	})
	db := pgtest.Path(t, dir, "m.db")
	run := func(args ...string) (string, error) {
		out, err := exec.Command(bin, args...).CombinedOutput()
		return string(out), err
	}
	out, err := run("import", "--db", db, "--org-domain", mailgen.OrgDomain, hist)
	if strings.Contains(out, "not implemented") {
		t.Skipf("importer not there yet: %s", out)
	}
	if err != nil || !strings.Contains(out, fmt.Sprintf("%d new", n)) {
		t.Fatalf("first import (%v): %s", err, out)
	}
	out, err = run("import", "--db", db, hist)
	if err != nil || !strings.Contains(out, " 0 new") {
		t.Fatalf("second import (%v): %s", err, out)
	}

	var wrong *mail.Message
	for day := 41; wrong == nil && day < 60; day++ {
		org.Day(day, 3, func(m *mail.Message) {
			if wrong == nil && strings.HasSuffix(m.From.Addr, mailgen.OrgDomain) && !strings.HasSuffix(m.To[0].Addr, mailgen.OrgDomain) {
				wrong, _, _ = org.Inject(m, mailgen.Lookalike)
			}
		})
	}
	file := filepath.Join(dir, "wrong.eml")
	os.WriteFile(file, []byte(eml(wrong)), 0o600)
	out, err = run("check", "--db", db, "--json", file)
	if err != nil {
		t.Fatalf("check (%v): %s", err, out)
	}
	var got struct {
		File, Sender, Verdict string
		MessageID             string `json:"message_id"`
		Score                 float64
		Findings              []struct{ Code, Recipient, Suggestion string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Verdict == "pass" || got.MessageID != wrong.MessageID || got.Sender != wrong.From.Addr {
		t.Errorf("check: %s", out)
	}
	if !strings.Contains(out, `"LOOKALIKE_DOMAIN"`) {
		t.Errorf("no LOOKALIKE_DOMAIN: %s", out)
	}
	// Standard input, human-readable.
	cmd := exec.Command(bin, "check", "--db", db, "-")
	cmd.Stdin = strings.NewReader(eml(wrong))
	b, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "LOOKALIKE_DOMAIN") || !strings.Contains(string(b), "did you mean") {
		t.Errorf("check - (%v): %s", err, b)
	}
}
