package siem

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/misend/misend/internal/finding"
)

// Event is one exported record: a decision on a message or an audit
// entry, as a flat JSON object (the fields are in the README). Fields are
// only ever added.
type Event struct {
	Type string    `json:"type"` // "decision" or "audit"
	ID   int64     `json:"id"`   // per type, increasing: a collector drops repeats by (type, id)
	At   time.Time `json:"at"`

	// decision
	Via        string            `json:"via,omitempty"`
	MessageID  string            `json:"message_id,omitempty"`
	QueueID    string            `json:"queue_id,omitempty"`
	Sender     string            `json:"sender,omitempty"`
	Verdict    string            `json:"verdict,omitempty"`
	Decided    string            `json:"decided,omitempty"` // the rules' verdict; differs from verdict in shadow mode
	Shadow     bool              `json:"shadow,omitempty"`
	Rule       string            `json:"rule,omitempty"`
	Score      *float64          `json:"score,omitempty"`
	Codes      []string          `json:"codes,omitempty"`
	Findings   []finding.Finding `json:"findings,omitempty"` // with matched terms only when include_terms
	Error      string            `json:"error,omitempty"`
	Department string            `json:"department,omitempty"`

	// audit
	Actor  string `json:"actor,omitempty"`
	Role   string `json:"role,omitempty"`
	Action string `json:"action,omitempty"`
	Target string `json:"target,omitempty"`
	Detail string `json:"detail,omitempty"`
	Remote string `json:"remote,omitempty"`
}

// decisionRow is a row of the decisions table.
type decisionRow struct {
	id                                                  int64
	at                                                  int64
	via, messageID, queueID, sender, dept, verdict, dec string
	shadow                                              int
	rule                                                string
	score                                               float64
	codes, findings, err                                string
}

func (r decisionRow) event(includeTerms bool) Event {
	score := r.score
	e := Event{Type: "decision", ID: r.id, At: time.UnixMilli(r.at).UTC(), Via: r.via, MessageID: r.messageID, QueueID: r.queueID,
		Sender: r.sender, Department: r.dept, Verdict: r.verdict, Decided: r.dec, Shadow: r.shadow != 0, Rule: r.rule,
		Score: &score, Error: r.err}
	if r.codes != "" {
		e.Codes = strings.Fields(r.codes)
	}
	var fs []finding.Finding
	if json.Unmarshal([]byte(r.findings), &fs) == nil && len(fs) > 0 {
		if !includeTerms {
			// Matched confidential terms are for operators; a SIEM is
			// read by more people.
			fs = finding.SenderView(fs)
		}
		e.Findings = fs
	}
	return e
}

// severity is the RFC 5424 severity of e: warning for mail stopped
// (held, rejected) or a failed sign-in, notice for other audit entries
// and mail the sender was asked about, informational for the rest.
func (e Event) severity() int {
	switch {
	case e.Type == "decision" && (e.Verdict == "hold" || e.Verdict == "reject"):
		return 4
	case e.Type == "audit" && e.Action == "sign-in-failed":
		return 4
	case e.Type == "audit", e.Verdict == "confirm" || e.Verdict == "delay" || e.Verdict == "warn":
		return 5
	}
	return 6
}
