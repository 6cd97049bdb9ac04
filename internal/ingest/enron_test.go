package ingest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/misend/misend/internal/mail"
)

// TestWalkEnron walks the real Enron sent-mail corpus: 30,106 messages must
// come through with few skips.
func TestWalkEnron(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	tarball, _ := filepath.Abs("../../../shared/data/enron-sent.tar.gz")
	if _, err := os.Stat(tarball); err != nil {
		t.Skip("Enron tarball absent")
	}
	dir := t.TempDir()
	if out, err := exec.Command("tar", "-xzf", tarball, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("untar: %v %s", err, out)
	}
	noFrom := 0
	sum, err := Walk(context.Background(), []string{dir}, Options{}, func(src string, m *mail.Message) error {
		if m.From.Addr == "" {
			noFrom++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	skipped := 0
	for reason, n := range sum.Skipped {
		t.Logf("skipped %d: %s", n, reason)
		skipped += n
	}
	t.Logf("%d files, %d messages, %d without From, %v", sum.Files, sum.Messages, noFrom, sum.Elapsed)
	if sum.Messages+skipped != 30106 || skipped > 30 {
		t.Errorf("messages %d skipped %d, want 30106 with few skips", sum.Messages, skipped)
	}
	if noFrom > 30 {
		t.Errorf("%d messages without From", noFrom)
	}
}
