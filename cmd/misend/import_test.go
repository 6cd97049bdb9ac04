package main

import (
	"context"
	"strings"
	"testing"

	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model/mailgen"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestImportReads: a first import reads the mail twice (the dates that
// place the fit window, then learning and fitting in one model); one
// adding to a learned model reads it twice too (learning, which notes the
// dates, then the fit's replay), and fits the weights again.
func TestImportReads(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.Path(t, dir, "m.db")
	org := mailgen.New(mailgen.Config{Seed: 5, Insiders: 40})
	var history []*mail.Message
	org.History(60, 4, func(m *mail.Message) { history = append(history, m) })
	half := len(history) / 2

	var walks int
	for _, step := range []struct {
		name string
		msgs []*mail.Message
		args []string
	}{
		{"first import", history[:half], []string{"--org-domain", mailgen.OrgDomain}},
		// Without --org-domain: the domains stored with the model are
		// the fit's too.
		{"adding to it", history, nil},
	} {
		fakeWalk(t, step.msgs)
		walks = 0
		read := walkMail
		walkMail = func(ctx context.Context, paths []string, opt ingest.Options, fn func(string, *mail.Message) error) (ingest.Summary, error) {
			walks++
			return read(ctx, paths, opt, fn)
		}
		out, err := runTermsCLI(t, append(append([]string{"import", "--db", db}, step.args...), dir)...)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if !strings.Contains(out, "weights: fitted on") {
			t.Errorf("%s: no weights fitted: %q", step.name, out)
		}
		if walks != 2 {
			t.Errorf("%s: the mail was read %d times, want 2", step.name, walks)
		}
	}
}
