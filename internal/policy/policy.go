// Package policy turns a score and findings into a verdict, per department,
// with an organisation default, shadow mode and a fail-safe verdict for when
// detection itself fails.
//
// It deliberately knows nothing about how a verdict is carried out (queue,
// milter, notifications) nor how findings are produced: it is a pure function
// of its Config, so every way into misend decides alike.
package policy

import (
	"time"

	"github.com/misend/misend/internal/finding"
)

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

// strictness orders verdicts from least to most friction. Delay sits below
// Confirm on purpose: a delayed message leaves by itself unless the sender
// cancels it, a message awaiting confirmation never leaves without the sender.
var strictness = map[Verdict]int{Pass: 0, Warn: 1, Delay: 2, Confirm: 3, Hold: 4, Reject: 5}

// Valid reports whether v is one of the contract's verdict names.
func (v Verdict) Valid() bool { _, ok := strictness[v]; return ok }

// Stricter reports whether v brings more friction than w.
func (v Verdict) Stricter(w Verdict) bool { return strictness[v] > strictness[w] }

// Holds reports whether a message with this verdict must wait in misend's
// queue instead of leaving at once.
func (v Verdict) Holds() bool { return v == Confirm || v == Delay || v == Hold }

// Decision is a verdict with what is needed to carry it out and explain it.
type Decision struct {
	// Verdict is what happens to the message: Pass when the department runs
	// in shadow mode, whatever the rules said.
	Verdict Verdict `json:"verdict"`
	// Decided is the verdict the rules gave; it differs from Verdict only in
	// shadow mode, where it is recorded for reports.
	Decided Verdict `json:"decided"`
	Shadow  bool    `json:"shadow,omitempty"`
	// Delay is how long a Delay verdict waits before release.
	Delay time.Duration `json:"delay,omitempty"`
	// Rule names the rule that fired, for operators ("score>=0.90",
	// "code:CONFIDENTIAL_TERMS", "fail-safe", "default").
	Rule string `json:"rule"`
}

// Policy decides verdicts. The zero value uses DefaultConfig; use New to
// check and use a configuration.
type Policy struct {
	cfg Config // validated
	set bool
}

// New validates cfg and returns a Policy using it.
func New(cfg Config) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Policy{cfg: cfg, set: true}, nil
}

func (p *Policy) config() *Config {
	if p == nil || !p.set {
		return &defaultConfig
	}
	return &p.cfg
}

// Decide returns the verdict carried out for a message from department dept
// (Pass in shadow mode).
func (p *Policy) Decide(dept string, score float64, fs []finding.Finding) Verdict {
	return p.Evaluate(dept, score, fs).Verdict
}

// Evaluate returns the full decision for a message from department dept with
// the given score and findings. The strictest of the score band and the
// finding-code minimums wins.
func (p *Policy) Evaluate(dept string, score float64, fs []finding.Finding) Decision {
	r := p.config().rulesFor(dept)
	v, rule := Pass, "default"
	// Bands are sorted strictest first; the first one reached applies.
	for _, b := range r.bands {
		if score >= b.at {
			v, rule = b.verdict, "score>="+formatScore(b.at)
			break
		}
	}
	for _, f := range fs {
		if min, ok := r.codes[f.Code]; ok && min.Stricter(v) {
			v, rule = min, "code:"+string(f.Code)
		}
		if f.Code != finding.ClassificationLabel {
			continue
		}
		if min, ok := r.levelVerdict(f); ok && min.Stricter(v) {
			v, rule = min, "level:"+f.Args["level"]
		}
	}
	return r.finish(v, rule)
}

// FailSafe returns the decision for a message whose detection failed or
// timed out: the department's fail-safe verdict, never a silent pass unless
// an operator configured exactly that.
func (p *Policy) FailSafe(dept string) Decision {
	r := p.config().rulesFor(dept)
	return r.finish(r.failSafe, "fail-safe")
}

func (r *resolved) finish(v Verdict, rule string) Decision {
	d := Decision{Verdict: v, Decided: v, Rule: rule, Shadow: r.shadow}
	if v == Delay {
		d.Delay = r.delay
	}
	if r.shadow {
		d.Verdict = Pass
	}
	return d
}
