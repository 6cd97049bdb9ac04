package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/misend/misend/internal/eval"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestSynthEvalFloor runs the path an operator would take to measure
// misend, on disk and through the real mail parser: misend synth writes an
// organisation's mailboxes and directory, misend directory import loads the
// directory, and misend eval replays the mailboxes with the built-in
// weights. The organisation's seed is one the built-in weights were not
// fitted on. Each strategy must reach the floor at a 2% alarm rate: below
// it, a detector, the parser or the replay broke. (The figures at full size
// are in the report of `misend eval` on a 1000-person organisation.)
func TestSynthEvalFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("writes, parses and replays a 300-person organisation")
	}
	dir := t.TempDir()
	hist, db := filepath.Join(dir, "hist"), pgtest.Path(t, dir, "m.db")
	if _, err := runTermsCLI(t, "synth", "--seed", "11", "--people", "300", "--days", "180", "--out", hist); err != nil {
		t.Fatal(err)
	}
	if _, err := runTermsCLI(t, "directory", "import", "--db", db, filepath.Join(hist, "directory.csv")); err != nil {
		t.Fatal(err)
	}
	out, err := runTermsCLI(t, "eval", "--db", db, "--builtin-weights", "--org-domain", "corp.example", "--json", hist)
	if err != nil {
		t.Fatal(err)
	}
	var rep eval.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %.200q", err, out)
	}
	if rep.Test < 1000 || len(rep.Tables) == 0 || rep.Tables[0].Weights != "default" {
		t.Fatalf("%d test messages, %d tables", rep.Test, len(rep.Tables))
	}
	const floor, colleagueFloor, recentFloor, allFloor, aucFloor, allAUCFloor, warnMax = 0.85, 0.75, 0.4, 0.8, 0.97, 0.94, 0.05
	for _, r := range rep.Tables[0].Rows {
		if r.Injected < 500 || len(r.Detect) < 2 || r.AUC == nil {
			t.Errorf("%s/%s: %d injected, no metrics", r.Strategy, r.Mode, r.Injected)
			continue
		}
		t.Logf("%-17s %-7s det@1%% %5.1f%%  det@2%% %5.1f%%  det@5%% %5.1f%%  AUC %.4f  clean@warn %.1f%%",
			r.Strategy, r.Mode, 100*r.Detect[0], 100*r.Detect[1], 100*r.Detect[2], *r.AUC, 100*r.CleanWarn)
		if r.RealAlarm[1] > 0.02 {
			t.Errorf("%s/%s: %.2f%% of clean mail above the 2%% threshold", r.Strategy, r.Mode, 100*r.RealAlarm[1])
		}
		// A colleague's contact slipped into a message looks like what
		// honest mail does every day: a reply that brings in a colleague
		// or a partner's new person, a forward across departments. The
		// organisation's history has that at real rates, so this slip is
		// caught less often at the same alarm rate.
		fl := floor
		if r.Strategy == "colleague-contact" {
			fl = colleagueFloor
		}
		if r.Strategy == "recent-contact" {
			// A real contact in place of another is given away only by
			// the message around it, which the built-in weights are not
			// fitted to read (see package detect's builtinStrategies):
			// when the one meant is replaced, by the greeting that names
			// them or the quoted author; when someone is added, hardly
			// at all.
			if r.Mode == eval.Replace && r.Detect[1] < recentFloor {
				t.Errorf("%s/%s: %.1f%% detected at 2%% alarm; want ≥ %.0f%%", r.Strategy, r.Mode, 100*r.Detect[1], 100*recentFloor)
			}
			continue
		}
		af := aucFloor
		if r.Strategy == "all" {
			// all pools recent-contact in too
			fl, af = allFloor, allAUCFloor
		}
		if r.Detect[1] < fl || *r.AUC < af {
			t.Errorf("%s/%s: %.1f%% detected at 2%% alarm, AUC %.4f; want ≥ %.0f%%, ≥ %.2f", r.Strategy, r.Mode, 100*r.Detect[1], *r.AUC, 100*fl, af)
		}
		if r.CleanWarn > warnMax {
			t.Errorf("%s/%s: %.1f%% of clean mail reaches the warn band; want ≤ %.0f%%", r.Strategy, r.Mode, 100*r.CleanWarn, 100*warnMax)
		}
	}
}
