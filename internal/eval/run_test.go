package eval

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
)

// novelty scores 1 when any recipient is new to the sender, else 0; it
// learns only what it is given, so the test sees exactly what Replay taught.
type novelty struct {
	sent    map[string]bool
	learned int
}

func (n *novelty) Learn(m *mail.Message) bool {
	n.learned++
	for _, r := range m.Recipients() {
		n.sent[m.From.Addr+" "+r.Addr] = true
	}
	return true
}

func (n *novelty) Score(m *mail.Message, _ time.Time) (float64, detect.Features) {
	for _, r := range m.Recipients() {
		if !n.sent[m.From.Addr+" "+r.Addr] {
			return 1, detect.Features{1}
		}
	}
	return 0, detect.Features{0}
}

func TestReplay(t *testing.T) {
	history := []*mail.Message{
		msg(0, taro, hanako, cust), msg(1, hanako, kenji, other), msg(2, kenji, john, johnny),
	}
	test := []*mail.Message{
		msg(3, taro, hanako), // scored
		msg(4, cust, taro),   // outsider: learned, not scored
		msg(5, taro, kenji),  // new contact: clean but scores 1
		msg(6, taro, kenji),  // known by now, as the model stays current
		msg(7, taro, hanako), // beyond MaxTest
	}
	n := &novelty{sent: map[string]bool{}}
	run, err := Replay(context.Background(), Config{OrgDomains: []string{"corp.example"}, Seed: 1, MaxTest: 3}, history, test, n, n)
	if err != nil {
		t.Fatal(err)
	}
	if run.History != 3 || run.Test != 3 || run.NotTest != 1 {
		t.Fatalf("history %d test %d not-test %d, want 3 3 1", run.History, run.Test, run.NotTest)
	}
	var clean []float64
	for _, s := range run.Samples {
		if !s.Injected() {
			clean = append(clean, s.Score)
			continue
		}
		// Every strategy but recent-contact puts in someone the sender
		// never mailed; recent-contact, someone they did.
		if s.Strategy == "recent-contact" {
			if !s.KnownWrong || s.Mode == Replace && s.Score != 0 {
				t.Errorf("recent-contact/%s on test %d: %s, known to the sender %v, scored %v", s.Mode, s.Test, s.Wrong, s.KnownWrong, s.Score)
			}
		} else if s.Score != 1 {
			t.Errorf("%s/%s on test %d scored %v: the wrong address was no new recipient", s.Strategy, s.Mode, s.Test, s.Score)
		}
	}
	if want := []float64{0, 1, 0}; len(clean) != 3 || clean[0] != want[0] || clean[1] != want[1] || clean[2] != want[2] {
		t.Errorf("clean scores %v, want %v (learning test mail as it goes)", clean, want)
	}
	if run.Skipped["same-name"] == 0 {
		t.Error("same-name found a namesake for hanako or kenji, who have none")
	}
	// Frozen: the third test message still looks new.
	n = &novelty{sent: map[string]bool{}}
	run, _ = Replay(context.Background(), Config{OrgDomains: []string{"corp.example"}, Frozen: true, MaxTest: 3}, history, test, n, n)
	if n.learned != 3 || run.Samples[len(run.Samples)-1].Test != 2 {
		t.Errorf("frozen model learned %d messages, want 3", n.learned)
	}
	rep := Evaluate(run, nil, nil)
	if rep.Tables[0].Rows[0].Clean != 3 {
		t.Errorf("report clean count %d", rep.Tables[0].Rows[0].Clean)
	}
}

// TestFitWindow: history in the fit window is scored before it is learned,
// kept apart from the test samples, and a fit-window message of a
// conversation that goes on in the test period is not fitted on.
func TestFitWindow(t *testing.T) {
	subj := func(m *mail.Message, s string) *mail.Message { m.Subject = s; return m }
	history := []*mail.Message{
		msg(0, taro, hanako, cust), msg(1, hanako, kenji, other),
		subj(msg(2, taro, kenji), "Budget"),        // fit window, thread goes on in the test period
		subj(msg(3, taro, hanako), "Offsite plan"), // fit window
	}
	test := []*mail.Message{subj(msg(4, taro, kenji), "RE: budget")}
	n := &novelty{sent: map[string]bool{}}
	run, err := Replay(context.Background(), Config{OrgDomains: []string{"corp.example"}, Seed: 1, FitFrom: history[2].Date},
		history, test, n, n)
	if err != nil {
		t.Fatal(err)
	}
	clean := func(ss []Sample) (n int) {
		for _, s := range ss {
			if !s.Injected() {
				n++
			}
		}
		return n
	}
	if clean(run.Fit) != 2 || clean(run.Samples) != 1 {
		t.Fatalf("fit window %d clean samples, test %d; want 2 and 1", clean(run.Fit), clean(run.Samples))
	}
	if run.Fit[0].Score != 1 {
		t.Error("the fit-window message to a new contact was scored after it was learned")
	}
	fit := FitSamples(run)
	if clean(fit) != 1 || fit[0].Thread != threadKey(history[3]) {
		t.Errorf("fitted on %d clean messages, want only the one whose conversation stays in the history", clean(fit))
	}
	if FitFrom(history, 0.5) != history[2].Date || !FitFrom(history, 0).IsZero() {
		t.Errorf("FitFrom(0.5) = %v, want %v", FitFrom(history, 0.5), history[2].Date)
	}
}

func TestInject(t *testing.T) {
	m := &mail.Message{From: taro, To: []mail.Address{hanako}, Cc: []mail.Address{kenji, cust}}
	r := inject(m, 2, other, Replace)
	if r.Cc[1] != other || len(r.Cc) != 2 || m.Cc[1] != cust {
		t.Errorf("replace: %v (original %v)", r.Cc, m.Cc)
	}
	a := inject(m, 2, other, Add)
	if len(a.Cc) != 3 || a.Cc[1] != cust || a.Cc[2] != other || len(m.Cc) != 2 {
		t.Errorf("add: %v (original %v)", a.Cc, m.Cc)
	}
}

// Sizes of the synthetic organisation TestEndToEnd replays; larger ones and
// unseen seeds give the figures reported for misend (go test -run EndToEnd
// -v -args -synth-seed 7 -synth-insiders 1000 -synth-days 120).
var (
	synthSeed     = flag.Uint64("synth-seed", 11, "seed of the synthetic organisation")
	synthInsiders = flag.Int("synth-insiders", 60, "insiders of the synthetic organisation")
	synthDays     = flag.Int("synth-days", 60, "days of synthetic mail")
	synthMaxTest  = flag.Int("synth-max-test", 400, "test messages to score")
)

// TestEndToEnd replays a synthetic organisation through the real model and
// detector: injected mistakes must score above clean mail far more often
// than not. The bar is loose on purpose; the figures are for reports.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("replays a synthetic organisation")
	}
	org := mailgen.New(mailgen.Config{Seed: *synthSeed, Insiders: *synthInsiders})
	var all []*mail.Message
	org.History(*synthDays, 3, func(m *mail.Message) { all = append(all, m) })
	hist, test := Split(all, 0.8)
	m := model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}})
	sc := DetectorScorer{D: &detect.Detector{Model: m}}
	run, err := Replay(context.Background(), Config{OrgDomains: []string{mailgen.OrgDomain}, Seed: 3, MaxTest: *synthMaxTest,
		FitFrom: FitFrom(hist, 0.25)}, hist, test, sc, m)
	if err != nil {
		t.Fatal(err)
	}
	rep := Evaluate(run, nil, nil)
	if rep.FitError != "" {
		t.Fatal(rep.FitError)
	}
	for _, r := range rep.Tables[0].Rows {
		if r.Injected == 0 {
			t.Errorf("%s/%s: no injections", r.Strategy, r.Mode)
			continue
		}
		if *r.AUC < 0.75 {
			t.Errorf("%s/%s: AUC %.3f", r.Strategy, r.Mode, *r.AUC)
		}
	}
	// --explain speaks in words: no feature's identifier reaches the reader.
	var ex strings.Builder
	if err := rep.WriteDiagnoses(&ex); err != nil {
		t.Fatal(err)
	}
	words := 0
	for _, w := range detect.FeatureWords {
		if strings.Contains(ex.String(), "  "+w+" ") {
			words++
		}
	}
	if len(rep.Diagnoses) == 0 || words == 0 {
		t.Errorf("--explain without a diagnosis in words:\n%s", ex.String())
	}
	for _, n := range detect.FeatureNames {
		if strings.Contains(ex.String(), "  "+n+" ") {
			t.Errorf("--explain names the feature %s:\n%s", n, ex.String())
		}
	}
	if testing.Verbose() {
		rep.WriteText(t.Output())
		t.Log(ex.String())
	}
}
