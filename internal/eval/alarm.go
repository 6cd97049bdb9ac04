package eval

import (
	"slices"

	"github.com/misend/misend/internal/detect"
)

// heldOutShare is the share of a fit window's messages, the latest, that
// heldOutAlarm holds out.
const heldOutShare = 0.2

// minHeldOut is the fewest honest messages held out for their warn share
// to say anything: at 2.5%, five of them above the band.
const minHeldOut = 200

// heldOutMaxAlarm is the share of the held-out honest mail that may reach
// the warn band (the fit itself lets detect.MaxAlarm of the mail it has
// seen reach it).
const heldOutMaxAlarm = 0.025

// heldOutAlarm is how far a fit's log-odds must move (down: shift <= 0) so
// that at most heldOutMaxAlarm of honest mail it has not seen reaches the
// warn band, and the share of the held-out honest mail that then does; 0
// and ok false when there is too little mail to tell.
//
// detect.Fit places its intercept on the mail it was fitted on, whose
// scores its trees have learned: later honest mail scores higher. On the
// Enron mailboxes 1.5% of the fit window's honest messages reached the
// warn band and 2.0% of the next month's; on a synthetic year, 1.5% and
// 3.1%. So the fit is made a second time without the window's latest
// fifth, the way it will meet the mail after it, and the move that brings
// that fifth's honest messages to heldOutMaxAlarm is applied to the fit on
// the whole window, which has seen a little more and so is a little less
// overconfident: the estimate errs on the side of fewer alarms. With it the
// next month's honest mail is warned on 1.8% (Enron) and 1.7% (synthetic);
// aiming at 1.5% there gave 1.2% and 0.7%, hence the higher aim.
func heldOutAlarm(samples []Sample) (shift, warned float64, ok bool) {
	early, late := splitLatest(samples, heldOutShare)
	if countMessages(late) < minHeldOut || countMessages(early) < MinFitMessages {
		return 0, 0, false
	}
	w, err := fitWith(detect.Fit, early)
	if err != nil {
		return 0, 0, false
	}
	var z []float64
	for _, s := range late {
		if !s.Injected() {
			z = append(z, logit(w.Score(s.Features)))
		}
	}
	shift = detect.AlarmShift(z, heldOutMaxAlarm)
	n := 0
	for _, v := range z {
		if v+shift >= 0 {
			n++
		}
	}
	return shift, float64(n) / float64(len(z)), true
}

// splitLatest splits samples into those of the earlier messages and those
// of the latest share of them, by Test (the order the window was replayed
// in, which is the date order).
func splitLatest(samples []Sample, share float64) (early, late []Sample) {
	var tests []int
	for _, s := range samples {
		if !s.Injected() {
			tests = append(tests, s.Test)
		}
	}
	if len(tests) == 0 {
		return samples, nil
	}
	slices.Sort(tests)
	cut := tests[min(len(tests)-1, int(float64(len(tests))*(1-share)))]
	for _, s := range samples {
		if s.Test < cut {
			early = append(early, s)
		} else {
			late = append(late, s)
		}
	}
	return early, late
}
