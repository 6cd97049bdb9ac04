package decide

import (
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

// Outcome is a Result in the public `check --json` schema: what
// `misend check --json` prints and POST /api/v1/check answers.
type Outcome struct {
	File      string            `json:"file,omitempty"`
	MessageID string            `json:"message_id"`
	Sender    string            `json:"sender"`
	Verdict   policy.Verdict    `json:"verdict"`
	Score     float64           `json:"score"`
	Findings  []finding.Finding `json:"findings"`
	// Exempt is set when the sender is one of the policy's exempt
	// senders: the verdict is pass whatever the findings say.
	Exempt bool `json:"exempt,omitempty"`
}

// Outcome returns r in the `check --json` schema. Findings keep their
// operator-only fields; callers facing a sender pass them through
// finding.SenderView.
func (r Result) Outcome() Outcome {
	fs := r.Findings
	if fs == nil {
		fs = []finding.Finding{}
	}
	return Outcome{MessageID: r.MessageID, Sender: r.Sender, Verdict: r.Decision.Verdict, Score: r.Score, Findings: fs, Exempt: r.Decision.Exempt}
}
