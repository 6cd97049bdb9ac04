package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestDemo runs the whole demo on a small organisation: history written
// and learned, scenarios judged, the gateway started on loopback and the
// scenarios sent through it over SMTP. Honest mail must reach the capture
// upstream; most mistakes must be stopped.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and learns an organisation")
	}
	var out bytes.Buffer
	rep, err := Run(context.Background(), Options{
		Seed: 3, People: 150, Days: 120,
		Dir:   t.TempDir(),
		Serve: true, SMTPAddr: "127.0.0.1:0", For: 3 * time.Second,
		Out: &out,
	})
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Mistakes < 5 || rep.Honest < 3 {
		t.Fatalf("only %d mistakes and %d honest scenarios", rep.Mistakes, rep.Honest)
	}
	if rep.Caught < rep.Mistakes-1 {
		t.Errorf("stopped %d of %d mistakes", rep.Caught, rep.Mistakes)
	}
	if rep.Passed < rep.Honest-1 {
		t.Errorf("passed %d of %d honest messages", rep.Passed, rep.Honest)
	}
	if rep.Accepted+rep.Refused != rep.Mistakes+rep.Honest {
		t.Errorf("gateway answered %d+%d of %d scenarios", rep.Accepted, rep.Refused, rep.Mistakes+rep.Honest)
	}
	if rep.Upstream < rep.Passed {
		t.Errorf("%d messages reached the upstream, want at least the %d passed", rep.Upstream, rep.Passed)
	}
	for _, want := range []string{"の間違いではありませんか", "SMTP relay", "swaks"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("narrative lacks %q", want)
		}
	}
	// The scenarios' senders have Japanese names and no language set: they
	// are told in Japanese.
	if strings.Contains(out.String(), "you have never mailed") || !strings.Contains(out.String(), "このアドレスに送信したことはありません") {
		t.Error("findings are not in the senders' language")
	}
}
