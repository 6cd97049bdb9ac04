package eval

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/misend/misend/internal/detect"
)

// Row is the metrics of one strategy in one mode ("all" pools them).
type Row struct {
	Strategy string `json:"strategy"`
	Mode     Mode   `json:"mode"`
	Skipped  int    `json:"skipped,omitempty"` // test messages the strategy had no candidate for
	Metrics
}

// Table is the metrics of every strategy and mode under one set of weights
// on one set of test messages.
type Table struct {
	Weights string `json:"weights"` // "default" (built in), "stored" or "file" (fitted earlier), "fitted" (here); "-calibrated" when only the alarm rate was fitted here
	Part    string `json:"part"`    // "test": the messages after the history
	Rows    []Row  `json:"rows"`
}

// Report is what `misend eval --json` prints.
type Report struct {
	OrgDomains []string `json:"org_domains"`
	History    int      `json:"history"`
	Test       int      `json:"test"`
	NotTest    int      `json:"not_test"`
	// FitFrom and FitUntil bound the fit window, TestFrom and TestUntil
	// the test messages scored.
	FitFrom     time.Time `json:"fit_from,omitzero"`
	FitUntil    time.Time `json:"fit_until,omitzero"`
	TestFrom    time.Time `json:"test_from,omitzero"`
	TestUntil   time.Time `json:"test_until,omitzero"`
	FitMessages int       `json:"fit_messages"` // clean fit-window messages the weights were fitted on
	Tables      []Table   `json:"tables"`
	// BottomLine is what the fitted weights would have done under the
	// default policy bands.
	BottomLine *BottomLine          `json:"bottom_line,omitempty"`
	Fitted     *detect.Weights      `json:"fitted_weights,omitempty"`
	FitError   string               `json:"fit_error,omitempty"`
	Examples   map[string][]Example `json:"examples,omitempty"`
	// Diagnoses explain the false alarms and misses of the replayed weights
	// at a 2% alarm rate.
	Diagnoses []Diagnosis `json:"diagnoses,omitempty"`
}

// diagnoseAlarm is the alarm rate Evaluate explains: the target's.
const diagnoseAlarm = 0.02

// MinFitMessages is how many fit-window messages Evaluate needs before it
// fits weights: fewer give a fit that mostly reflects chance.
const MinFitMessages = 50

// Evaluate measures run with the scores it was replayed with (named by
// run.Weights: "default", "stored" or "file"), then fits weights on the
// fit window's samples (run.Fit: history scored before it was learned) and
// calibrates the replayed ones on them (moves their alarm rate to
// detect.MaxAlarm, keeping their order), and measures the calibrated and
// fitted weights on the test messages, which neither saw. Fit-window
// messages of a conversation that goes on in the test period are left out
// of the fit. Without a fit window nothing is fitted.
func Evaluate(run *Run, strategies []Strategy, modes []Mode) *Report {
	if strategies == nil {
		strategies = Strategies()
	}
	if modes == nil {
		modes = []Mode{Replace, Add}
	}
	rep := &Report{OrgDomains: run.OrgDomains, History: run.History, Test: run.Test, NotTest: run.NotTest, Examples: run.Examples,
		FitFrom: run.FitFrom, FitUntil: run.FitUntil, TestFrom: run.TestFrom, TestUntil: run.TestUntil}
	asRun := func(s Sample) float64 { return s.Score }
	replayed := run.Weights
	if replayed == "" {
		replayed = "default"
	}
	rep.Tables = append(rep.Tables, table(run, strategies, modes, replayed, asRun))
	rep.Diagnoses = Diagnose(run, diagnoseAlarm)
	fit := FitSamples(run)
	rep.FitMessages = countMessages(fit)
	if run.FitFrom.IsZero() {
		rep.FitError = "no fit window: nothing fitted"
		return rep
	}
	if rep.FitMessages < MinFitMessages {
		rep.FitError = fmt.Sprintf("only %d messages in the fit window (at least %d needed)", rep.FitMessages, MinFitMessages)
		return rep
	}
	w, err := FitWeights(fit)
	if err != nil {
		rep.FitError = err.Error()
		return rep
	}
	w.Fit.From, w.Fit.Until, w.Fit.Messages = run.FitFrom, run.FitUntil, rep.FitMessages
	rep.Fitted = w
	shift := calibration(fit)
	rep.Tables = append(rep.Tables,
		table(run, strategies, modes, replayed+"-calibrated", func(s Sample) float64 { return shifted(s.Score, shift) }))
	if lin, err := fitWith(detect.FitLinear, fit); err == nil {
		rep.Tables = append(rep.Tables, table(run, strategies, modes, "fitted-linear", func(s Sample) float64 { return lin.Score(s.Features) }))
	}
	rep.Tables = append(rep.Tables, table(run, strategies, modes, "fitted", func(s Sample) float64 { return w.Score(s.Features) }))
	// The bottom line is for the weights an installation would check with:
	// the stored ones when there are any, else those fitted here.
	if replayed == "default" {
		rep.BottomLine = bottomLine(run, "fitted", func(s Sample) float64 { return w.Score(s.Features) })
	} else {
		rep.BottomLine = bottomLine(run, replayed, asRun)
	}
	return rep
}

// FitSamples returns the fit-window samples of run that belong to no
// conversation of the test period: run.Fit itself when that is all of them
// (as after a calibration, which has no test period), since the samples
// are most of what a fit holds.
func FitSamples(run *Run) []Sample {
	inTest := map[uint64]bool{}
	for _, s := range run.Samples {
		if s.Thread != 0 {
			inTest[s.Thread] = true
		}
	}
	if len(inTest) == 0 {
		return run.Fit
	}
	var out []Sample
	for _, s := range run.Fit {
		if s.Thread == 0 || !inTest[s.Thread] {
			out = append(out, s)
		}
	}
	return out
}

// FitWeights fits the score's weights on samples (clean and injected) and
// sets the alarm rate on the latest of them held out (heldOutAlarm). w.Fit
// says how the warn band was placed; the caller adds what the samples came
// from.
func FitWeights(samples []Sample) (*detect.Weights, error) {
	w, err := fitWith(detect.Fit, samples)
	if err != nil {
		return nil, err
	}
	w.Fit = &detect.FitInfo{}
	if shift, warned, ok := heldOutAlarm(samples); ok {
		w.Intercept += shift
		w.Fit.AlarmShift, w.Fit.HeldOutWarned = -shift, warned
	}
	return w, nil
}

func fitWith(fit func([]detect.Features, []bool) (*detect.Weights, error), samples []Sample) (*detect.Weights, error) {
	x := make([]detect.Features, 0, len(samples))
	y := make([]bool, 0, len(samples))
	for _, s := range samples {
		x = append(x, s.Features)
		y = append(y, s.Injected())
	}
	return fit(x, y)
}

func countMessages(samples []Sample) int {
	n := 0
	for _, s := range samples {
		if !s.Injected() {
			n++
		}
	}
	return n
}

// calibration is how far the replayed scores' log-odds must move down so
// that at most detect.MaxAlarm of the clean fit samples reach the warn
// band, as Fit places its intercept; 0 when they already do. The feature
// weights stay as they were: only the alarm rate is fitted to the
// organisation, which needs no injected mistakes and little mail.
func calibration(fit []Sample) float64 {
	var z []float64
	for _, s := range fit {
		if !s.Injected() {
			z = append(z, logit(s.Score))
		}
	}
	return detect.AlarmShift(z, detect.MaxAlarm)
}

func logit(p float64) float64 {
	p = min(max(p, 1e-12), 1-1e-12)
	return math.Log(p / (1 - p))
}

func shifted(p, shift float64) float64 {
	if shift == 0 {
		return p
	}
	return 1 / (1 + math.Exp(-(logit(p) + shift)))
}

func table(run *Run, strategies []Strategy, modes []Mode, weights string, score func(Sample) float64) Table {
	var clean []float64
	inj := map[string][]float64{}
	var all []float64
	for _, s := range run.Samples {
		v := score(s)
		if !s.Injected() {
			clean = append(clean, v)
			continue
		}
		k := s.Strategy + "/" + string(s.Mode)
		inj[k] = append(inj[k], v)
		all = append(all, v)
	}
	t := Table{Weights: weights, Part: "test"}
	for _, st := range strategies {
		for _, m := range modes {
			t.Rows = append(t.Rows, Row{Strategy: st.Name(), Mode: m, Skipped: run.Skipped[st.Name()],
				Metrics: Measure(clean, inj[st.Name()+"/"+string(m)])})
		}
	}
	t.Rows = append(t.Rows, Row{Strategy: "all", Metrics: Measure(clean, all)})
	return t
}

// WriteText prints rep as tables for people.
func (rep *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "org domains %v; history %d messages; %d test messages scored (%d others in the test period not scored)\n",
		rep.OrgDomains, rep.History, rep.Test, rep.NotTest)
	if !rep.FitFrom.IsZero() {
		fmt.Fprintf(w, "weights fitted on %d history messages from %s to %s (scored before they were learned); test mail from %s to %s\n",
			rep.FitMessages, day(rep.FitFrom), day(rep.FitUntil), day(rep.TestFrom), day(rep.TestUntil))
	}
	for _, t := range rep.Tables {
		fmt.Fprintf(w, "\n%s weights, %s messages\n", t.Weights, t.Part)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "strategy\tmode\tclean\tinjected\tskipped\tdet@1%\tdet@2%\tdet@5%\tAUC\tclean@warn\tdet@warn\t")
		for _, r := range t.Rows {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Strategy, r.Mode, r.Clean, r.Injected, r.Skipped,
				pct(r.Detect, 0), pct(r.Detect, 1), pct(r.Detect, 2), num(r.AUC),
				pct([]float64{r.CleanWarn}, 0), pct([]float64{r.DetectWarn}, 0))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if rep.FitError != "" {
		fmt.Fprintln(w, "\nnot fitted:", rep.FitError)
	}
	if err := rep.BottomLine.Write(w); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\ndet@a% = share of injected messages scoring above the threshold that a% of clean messages exceed;\n"+
		"clean@warn, det@warn = share of clean and of injected messages scoring 0.5 or more, where the default policy warns")
	return err
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func pct(v []float64, i int) string {
	if i >= len(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v[i])
}

func num(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "-"
	}
	return fmt.Sprintf("%.4f", *v)
}

// WriteDiagnoses prints rep's diagnoses for people.
func (rep *Report) WriteDiagnoses(w io.Writer) error { return WriteDiagnoses(w, rep.Diagnoses) }
