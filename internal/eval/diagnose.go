package eval

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/misend/misend/internal/detect"
)

// Diagnosis explains where one kind of mail sits at one alarm rate: of the
// clean messages that alarm, or the injected ones that are missed, how many
// have each feature set, next to how many of the rest have it. A feature
// common among missed mistakes but rare among caught ones is evidence the
// detector lacks; one common among false alarms is a habit it mistakes for a
// mistake.
type Diagnosis struct {
	Kind  string  `json:"kind"` // "false-alarm" or "missed <strategy>/<mode>"
	Alarm float64 `json:"alarm_rate"`
	Count int     `json:"count"` // messages of this kind
	Of    int     `json:"of"`    // messages it was drawn from
	// KnownWrong is the share of the diagnosed mistakes, and of the rest,
	// whose wrong address the sender had mailed before.
	KnownWrong     float64 `json:"known_wrong,omitempty"`
	KnownWrongRest float64 `json:"known_wrong_rest,omitempty"`
	// NewIntended is the share of the diagnosed mistakes, and of the rest,
	// whose intended recipient's domain the sender had never mailed.
	NewIntended     float64 `json:"new_intended,omitempty"`
	NewIntendedRest float64 `json:"new_intended_rest,omitempty"`
	// StrangerIntended is the share whose intended recipient the sender had
	// never mailed.
	StrangerIntended     float64 `json:"stranger_intended,omitempty"`
	StrangerIntendedRest float64 `json:"stranger_intended_rest,omitempty"`
	// InsideIntended is the share whose intended recipient is inside the
	// organisation.
	InsideIntended     float64        `json:"inside_intended,omitempty"`
	InsideIntendedRest float64        `json:"inside_intended_rest,omitempty"`
	Features           []FeatureShare `json:"features"`
}

// FeatureShare is how often a feature is set (non-zero) in the diagnosed
// messages (In) and in the others of the same group (Rest).
type FeatureShare struct {
	Name string  `json:"name"`
	In   float64 `json:"in"`
	Rest float64 `json:"rest"`
}

// maxDiagFeatures is how many features a diagnosis lists, most telling first.
const maxDiagFeatures = 6

// Diagnose explains the false alarms and missed mistakes of run's scores at
// the given alarm rate.
func Diagnose(run *Run, alarm float64) []Diagnosis {
	var clean []Sample
	groups := map[string][]Sample{}
	var order []string
	for _, s := range run.Samples {
		if !s.Injected() {
			clean = append(clean, s)
			continue
		}
		k := s.Strategy + "/" + string(s.Mode)
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], s)
	}
	var scores []float64
	for _, s := range clean {
		scores = append(scores, s.Score)
	}
	t := Threshold(scores, alarm)
	out := []Diagnosis{diagnose("false-alarm", alarm, clean, func(s Sample) bool { return s.Score > t })}
	for _, k := range order {
		out = append(out, diagnose("missed "+k, alarm, groups[k], func(s Sample) bool { return s.Score <= t }))
	}
	return out
}

func diagnose(kind string, alarm float64, group []Sample, in func(Sample) bool) Diagnosis {
	d := Diagnosis{Kind: kind, Alarm: alarm, Of: len(group)}
	set := make([]int, len(detect.FeatureNames))
	rest := make([]int, len(detect.FeatureNames))
	known, knownRest, newInt, newIntRest, stranger, strangerRest, inside, insideRest := 0, 0, 0, 0, 0, 0, 0, 0
	for _, s := range group {
		c := rest
		if in(s) {
			d.Count++
			c = set
			known += b2i(s.KnownWrong)
			newInt += b2i(s.NewIntended)
			stranger += b2i(s.StrangerIntended)
			inside += b2i(s.InsideIntended)
		} else {
			knownRest += b2i(s.KnownWrong)
			newIntRest += b2i(s.NewIntended)
			strangerRest += b2i(s.StrangerIntended)
			insideRest += b2i(s.InsideIntended)
		}
		for i, v := range s.Features {
			if i < len(c) && v != 0 {
				c[i]++
			}
		}
	}
	if d.Count == 0 {
		return d
	}
	d.KnownWrong = float64(known) / float64(d.Count)
	d.NewIntended = float64(newInt) / float64(d.Count)
	d.StrangerIntended = float64(stranger) / float64(d.Count)
	d.InsideIntended = float64(inside) / float64(d.Count)
	if r := len(group) - d.Count; r > 0 {
		d.KnownWrongRest = float64(knownRest) / float64(r)
		d.NewIntendedRest = float64(newIntRest) / float64(r)
		d.StrangerIntendedRest = float64(strangerRest) / float64(r)
		d.InsideIntendedRest = float64(insideRest) / float64(r)
	}
	for i, n := range detect.FeatureNames {
		fs := FeatureShare{Name: n, In: float64(set[i]) / float64(d.Count)}
		if r := len(group) - d.Count; r > 0 {
			fs.Rest = float64(rest[i]) / float64(r)
		}
		if fs.In > 0 || fs.Rest > 0 {
			d.Features = append(d.Features, fs)
		}
	}
	// Most telling first: the largest gap between the diagnosed and the rest.
	slices.SortStableFunc(d.Features, func(a, b FeatureShare) int {
		ga, gb := abs(a.In-a.Rest), abs(b.In-b.Rest)
		switch {
		case ga > gb:
			return -1
		case ga < gb:
			return 1
		}
		return 0
	})
	d.Features = d.Features[:min(len(d.Features), maxDiagFeatures)]
	return d
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// WriteDiagnoses prints ds for people.
func WriteDiagnoses(w io.Writer, ds []Diagnosis) error {
	for _, d := range ds {
		fmt.Fprintf(w, "\n%s at %.0f%% alarm rate: %d of %d\n", d.Kind, 100*d.Alarm, d.Count, d.Of)
		if d.Count == 0 {
			continue
		}
		if d.NewIntended > 0 || d.NewIntendedRest > 0 {
			fmt.Fprintf(w, "  intended domain never mailed by the sender: %.0f%% of these, %.0f%% of the rest\n", 100*d.NewIntended, 100*d.NewIntendedRest)
		}
		if d.StrangerIntended > 0 || d.StrangerIntendedRest > 0 {
			fmt.Fprintf(w, "  intended recipient never mailed by the sender: %.0f%% of these, %.0f%% of the rest\n", 100*d.StrangerIntended, 100*d.StrangerIntendedRest)
		}
		if d.InsideIntended > 0 || d.InsideIntendedRest > 0 {
			fmt.Fprintf(w, "  intended recipient inside the organisation: %.0f%% of these, %.0f%% of the rest%s\n",
				100*d.InsideIntended, 100*d.InsideIntendedRest, d.detectedBySide())
		}
		if d.KnownWrong > 0 || d.KnownWrongRest > 0 {
			fmt.Fprintf(w, "  wrong address mailed by the sender before: %.0f%% of these, %.0f%% of the rest\n", 100*d.KnownWrong, 100*d.KnownWrongRest)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  what the message has\tin these\tin the rest")
		for _, f := range d.Features {
			fmt.Fprintf(tw, "  %s\t%.0f%%\t%.0f%%\n", featureWords(f.Name), 100*f.In, 100*f.Rest)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// detectedBySide says, for a diagnosis of missed mistakes, how many of
// those meant for insiders and for outsiders were caught.
func (d Diagnosis) detectedBySide() string {
	rest := d.Of - d.Count
	missedIn, missedOut := float64(d.Count)*d.InsideIntended, float64(d.Count)*(1-d.InsideIntended)
	caughtIn, caughtOut := float64(rest)*d.InsideIntendedRest, float64(rest)*(1-d.InsideIntendedRest)
	if d.Kind == "false-alarm" || missedIn+caughtIn == 0 || missedOut+caughtOut == 0 {
		return ""
	}
	return fmt.Sprintf(" (caught: %.1f%% of those meant for insiders, %.1f%% for outsiders)",
		100*caughtIn/(missedIn+caughtIn), 100*caughtOut/(missedOut+caughtOut))
}

// featureWords says a feature in plain words (detect.FeatureWords); the
// JSON report keeps its name.
func featureWords(name string) string {
	for i, n := range detect.FeatureNames {
		if n == name && i < len(detect.FeatureWords) {
			return detect.FeatureWords[i]
		}
	}
	return name
}
