package eval

import (
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"

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
	Part    string `json:"part"`    // "all", "held-out"
	Rows    []Row  `json:"rows"`
}

// Report is what `misend eval --json` prints.
type Report struct {
	OrgDomains []string             `json:"org_domains"`
	History    int                  `json:"history"`
	Test       int                  `json:"test"`
	NotTest    int                  `json:"not_test"`
	Tables     []Table              `json:"tables"`
	Fitted     *detect.Weights      `json:"fitted_weights,omitempty"`
	FitError   string               `json:"fit_error,omitempty"`
	Examples   map[string][]Example `json:"examples,omitempty"`
	// Diagnoses explain the false alarms and misses of the replayed weights
	// at a 2% alarm rate.
	Diagnoses []Diagnosis `json:"diagnoses,omitempty"`
}

// diagnoseAlarm is the alarm rate Evaluate explains: the target's.
const diagnoseAlarm = 0.02

// Part selects test messages by index.
type part struct {
	name string
	keep func(test int) bool
}

var (
	allPart     = part{"all", func(int) bool { return true }}
	fitPart     = part{"fit", func(i int) bool { return i%2 == 0 }}
	heldOutPart = part{"held-out", func(i int) bool { return i%2 == 1 }}
)

// Evaluate measures run with the scores it was replayed with (named by
// run.Weights: "default", "stored" or "file"), then uses the even-numbered
// test messages to fit weights, and to calibrate the replayed ones (move
// their alarm rate to detect.MaxAlarm, keeping their order), and measures
// the replayed, calibrated and fitted weights on the odd-numbered messages,
// which neither saw. Alternating messages, rather than halves in time,
// keeps both parts alike in how much history the model had.
func Evaluate(run *Run, strategies []Strategy, modes []Mode) *Report {
	if strategies == nil {
		strategies = Strategies()
	}
	if modes == nil {
		modes = []Mode{Replace, Add}
	}
	rep := &Report{OrgDomains: run.OrgDomains, History: run.History, Test: run.Test, NotTest: run.NotTest, Examples: run.Examples}
	asRun := func(s Sample) float64 { return s.Score }
	replayed := run.Weights
	if replayed == "" {
		replayed = "default"
	}
	rep.Tables = append(rep.Tables, table(run, strategies, modes, replayed, allPart, asRun))
	rep.Diagnoses = Diagnose(run, diagnoseAlarm)

	var x []detect.Features
	var y []bool
	for _, s := range run.Samples {
		if fitPart.keep(s.Test) {
			x = append(x, s.Features)
			y = append(y, s.Injected())
		}
	}
	w, err := detect.Fit(x, y)
	if err != nil {
		rep.FitError = err.Error()
		return rep
	}
	rep.Fitted = w
	shift := calibration(run)
	rep.Tables = append(rep.Tables,
		table(run, strategies, modes, replayed, heldOutPart, asRun),
		table(run, strategies, modes, replayed+"-calibrated", heldOutPart, func(s Sample) float64 { return shifted(s.Score, shift) }),
		table(run, strategies, modes, "fitted", heldOutPart, func(s Sample) float64 { return w.Score(s.Features) }))
	return rep
}

// calibration is how far the replayed scores' log-odds must move down so
// that at most detect.MaxAlarm of the clean messages of the fit part reach
// the warn band, as Fit places its intercept; 0 when they already do. The
// feature weights stay as they were: only the alarm rate is fitted to the
// organisation, which needs no injected mistakes and little mail.
func calibration(run *Run) float64 {
	var z []float64
	for _, s := range run.Samples {
		if fitPart.keep(s.Test) && !s.Injected() {
			z = append(z, logit(s.Score))
		}
	}
	if len(z) == 0 {
		return 0
	}
	slices.Sort(z)
	k := int(math.Floor(float64(len(z)) * (1 - detect.MaxAlarm)))
	if k >= len(z) || z[k] < 0 {
		return 0
	}
	return -(z[k] + 1e-6)
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

func table(run *Run, strategies []Strategy, modes []Mode, weights string, p part, score func(Sample) float64) Table {
	var clean []float64
	inj := map[string][]float64{}
	var all []float64
	for _, s := range run.Samples {
		if !p.keep(s.Test) {
			continue
		}
		v := score(s)
		if !s.Injected() {
			clean = append(clean, v)
			continue
		}
		k := s.Strategy + "/" + string(s.Mode)
		inj[k] = append(inj[k], v)
		all = append(all, v)
	}
	t := Table{Weights: weights, Part: p.name}
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
	for _, t := range rep.Tables {
		fmt.Fprintf(w, "\n%s weights, %s test messages\n", t.Weights, t.Part)
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
		fmt.Fprintln(w, "\nfit failed:", rep.FitError)
	}
	_, err := fmt.Fprintln(w, "\ndet@a% = share of injected messages scoring above the threshold that a% of clean messages exceed;\n"+
		"clean@warn, det@warn = share of clean and of injected messages scoring 0.5 or more, where the default policy warns")
	return err
}

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
