// Package policy turns a score and findings into a verdict, per department,
// with an organisation default and shadow mode.
package policy

import "github.com/misend/misend/internal/finding"

// Verdict is what happens to a message. The names are part of the contract.
type Verdict string

const (
	Pass    Verdict = "pass"
	Warn    Verdict = "warn"
	Confirm Verdict = "confirm"
	Delay   Verdict = "delay"
	Hold    Verdict = "hold"
	Reject  Verdict = "reject"
)

// Policy maps scores to verdicts.
type Policy struct{}

// Decide returns the verdict for a message from department dept.
func (p *Policy) Decide(dept string, score float64, fs []finding.Finding) Verdict {
	switch {
	case score >= 0.9:
		return Hold
	case score >= 0.7:
		return Confirm
	case score >= 0.5:
		return Warn
	}
	return Pass
}
