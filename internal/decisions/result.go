package decisions

import (
	"time"

	"github.com/misend/misend/internal/decide"
)

// Of is the record of the decision res, made through the front end via
// (smtp, milter, api) at at. from, the envelope sender, stands in when the
// decision named no sender.
func Of(res decide.Result, via string, at time.Time, from string) Record {
	rec := Record{At: at, Via: via, MessageID: res.MessageID, Sender: res.Sender, Department: res.Department,
		Decision: res.Decision, Score: res.Score, Findings: res.Findings,
		Features: res.Features, FeatureSet: res.FeatureSet}
	if res.Err != nil {
		rec.Err = res.Err.Error()
	}
	if rec.Sender == "" {
		rec.Sender = from
	}
	return rec
}
