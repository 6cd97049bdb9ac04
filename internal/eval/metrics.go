package eval

import (
	"math"
	"slices"
)

// Threshold returns the score above which at most alarm (a share, 0..1) of
// clean scores lie: an alarm is a score strictly greater than the threshold.
// Ties at the threshold never alarm, so the real alarm rate may be lower than
// asked when many clean messages share a score. With no clean scores it is
// +Inf (nothing alarms).
func Threshold(clean []float64, alarm float64) float64 {
	if len(clean) == 0 {
		return math.Inf(1)
	}
	s := slices.Clone(clean)
	slices.Sort(s)
	allowed := int(math.Floor(alarm*float64(len(s)) + 1e-9)) // clean messages that may alarm
	allowed = min(max(allowed, 0), len(s))
	if allowed == len(s) {
		return math.Inf(-1)
	}
	// Every score above s[k] alarms; k is the (n-allowed)th smallest.
	return s[len(s)-1-allowed]
}

// RateAbove returns the share of scores strictly greater than t (0 for none).
func RateAbove(scores []float64, t float64) float64 {
	if len(scores) == 0 {
		return 0
	}
	n := 0
	for _, s := range scores {
		if s > t {
			n++
		}
	}
	return float64(n) / float64(len(scores))
}

// AUC returns the area under the ROC curve for telling positive from
// negative scores: the chance that a random positive scores higher than a
// random negative, ties counting half (the Mann–Whitney U statistic divided
// by the number of pairs). It is NaN when either side is empty.
func AUC(positive, negative []float64) float64 {
	if len(positive) == 0 || len(negative) == 0 {
		return math.NaN()
	}
	type scored struct {
		s   float64
		pos bool
	}
	all := make([]scored, 0, len(positive)+len(negative))
	for _, s := range positive {
		all = append(all, scored{s, true})
	}
	for _, s := range negative {
		all = append(all, scored{s, false})
	}
	slices.SortFunc(all, func(a, b scored) int {
		switch {
		case a.s < b.s:
			return -1
		case a.s > b.s:
			return 1
		}
		return 0
	})
	// Sum of the midranks of the positives (ranks from 1).
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].s == all[i].s {
			j++
		}
		mid := float64(i+1+j) / 2
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += mid
			}
		}
		i = j
	}
	np, nn := float64(len(positive)), float64(len(negative))
	u := rankSum - np*(np+1)/2
	return u / (np * nn)
}

// AlarmRates are the false-alarm rates detection is reported at.
var AlarmRates = []float64{0.01, 0.02, 0.05}

// Metrics summarise how well one kind of injected mistake is told apart from
// clean mail.
type Metrics struct {
	Clean     int       `json:"clean"`
	Injected  int       `json:"injected"`
	AUC       *float64  `json:"auc,omitempty"`   // nil when either side is empty
	Alarm     []float64 `json:"alarm_rate"`      // asked alarm rates (AlarmRates)
	RealAlarm []float64 `json:"real_alarm_rate"` // share of clean mail above each threshold
	Detect    []float64 `json:"detection_rate"`  // share of injected mail above each threshold
	Thresh    []float64 `json:"threshold"`
	// At the warn band (a score of 0.5 or more, where the default policy
	// starts to warn): the share of clean mail and of injected mail there.
	// Unlike the rates above, these depend on the weights' calibration.
	CleanWarn  float64 `json:"clean_at_warn"`
	DetectWarn float64 `json:"detection_at_warn"`
}

// WarnScore is the score from which the default policy warns.
const WarnScore = 0.5

// Measure computes Metrics for injected scores against clean scores.
func Measure(clean, injected []float64) Metrics {
	m := Metrics{Clean: len(clean), Injected: len(injected)}
	if len(clean) == 0 || len(injected) == 0 {
		return m // no threshold or AUC means anything
	}
	auc := AUC(injected, clean)
	m.AUC = &auc
	m.CleanWarn = RateAbove(clean, math.Nextafter(WarnScore, 0))
	m.DetectWarn = RateAbove(injected, math.Nextafter(WarnScore, 0))
	for _, a := range AlarmRates {
		t := Threshold(clean, a)
		m.Alarm = append(m.Alarm, a)
		m.Thresh = append(m.Thresh, t)
		m.RealAlarm = append(m.RealAlarm, RateAbove(clean, t))
		m.Detect = append(m.Detect, RateAbove(injected, t))
	}
	return m
}
