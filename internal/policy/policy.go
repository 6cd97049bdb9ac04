// Package policy turns a score and findings into a verdict, per department,
// with an organisation default, shadow mode and a fail-safe verdict for when
// detection itself fails.
//
// A Policy holds the Config in force behind an atomic pointer: the web UI
// replaces it while mail flows (Set), and each message is decided on one
// Config taken once (Current), with no lock on the way. The Config also
// carries the organisation's trusted outside domains and exempt senders,
// which package decide applies.
//
// It deliberately knows nothing about how a verdict is carried out (queue,
// milter, notifications), how findings are produced, nor where a policy is
// stored (package policystore): a decision is a pure function of one
// Config, so every way into misend decides alike.
package policy

import (
	"bytes"
	"fmt"
	"maps"
	"sync/atomic"
	"time"

	"github.com/pelletier/go-toml/v2"

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
	// Exempt is set when the sender is an exempt sender (Config.Exempt):
	// Verdict is then Pass and Decided what the rules said.
	Exempt bool `json:"exempt,omitempty"`
	// Rule names the rule that fired, for operators ("score>=0.90",
	// "code:CONFIDENTIAL_TERMS", "fail-safe", "default"; "exempt-sender"
	// for an exempt sender's mail).
	Rule string `json:"rule"`
}

// ExemptRule is the Rule of a decision on an exempt sender's mail.
const ExemptRule = "exempt-sender"

// AsExempt returns d for mail of an exempt sender: passed, with what the
// rules decided kept for reports, and the exemption named as its rule.
func (d Decision) AsExempt() Decision {
	d.Verdict, d.Exempt, d.Rule, d.Delay = Pass, true, ExemptRule, 0
	return d
}

// Policy decides verdicts with the Config in force. The zero value uses
// DefaultConfig; use New to check and use a configuration, Set to replace
// it while serving. Safe for concurrent use; do not copy.
type Policy struct {
	cur atomic.Pointer[Config] // validated; never modified once stored
}

// New validates cfg and returns a Policy using it.
func New(cfg Config) (*Policy, error) {
	p := &Policy{}
	if err := p.Set(cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// Set validates cfg and puts it in force for every decision that starts
// after it returns; decisions under way finish on the Config they took.
// On an error the Config in force stays.
func (p *Policy) Set(cfg Config) error {
	c := cfg.Clone()
	if err := c.Validate(); err != nil {
		return err
	}
	p.cur.Store(&c)
	return nil
}

// Current returns the Config in force, validated. It is shared: read it,
// never modify it (Clone it to edit). A decision takes it once, so all of
// its parts (trusted domains, exemption, verdict) agree.
func (p *Policy) Current() *Config {
	if p == nil {
		return &defaultConfig
	}
	if c := p.cur.Load(); c != nil {
		return c
	}
	return &defaultConfig
}

// Decide returns the verdict carried out for a message from department dept
// (Pass in shadow mode).
func (p *Policy) Decide(dept string, score float64, fs []finding.Finding) Verdict {
	return p.Evaluate(dept, score, fs).Verdict
}

// Evaluate is Current().Evaluate.
func (p *Policy) Evaluate(dept string, score float64, fs []finding.Finding) Decision {
	return p.Current().Evaluate(dept, score, fs)
}

// Evaluate returns the full decision for a message from department dept with
// the given score and findings. The strictest of the score band and the
// finding-code minimums wins.
func (c *Config) Evaluate(dept string, score float64, fs []finding.Finding) Decision {
	r := c.rulesFor(dept)
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
func (c *Config) FailSafe(dept string) Decision {
	r := c.rulesFor(dept)
	return r.finish(r.failSafe, "fail-safe")
}

// Clone returns a deep copy of c, to edit without touching c.
func (c *Config) Clone() Config {
	out := Config{
		TrustedDomains: append([]string(nil), c.TrustedDomains...),
		ExemptSenders:  append([]string(nil), c.ExemptSenders...),
		Default:        c.Default.clone(),
		Classification: Classification{Labels: maps.Clone(c.Classification.Labels), Scopes: maps.Clone(c.Classification.Scopes)},
	}
	if c.Departments != nil {
		out.Departments = make(map[string]Rules, len(c.Departments))
		for k, r := range c.Departments {
			out.Departments[k] = r.clone()
		}
	}
	return out
}

func (r Rules) clone() Rules {
	out := r
	if r.Bands != nil {
		out.Bands = maps.Clone(r.Bands)
	}
	if r.Codes != nil {
		out.Codes = maps.Clone(r.Codes)
	}
	if r.Shadow != nil {
		v := *r.Shadow
		out.Shadow = &v
	}
	if r.Levels != nil {
		out.Levels = maps.Clone(r.Levels)
	}
	return out
}

// TOML returns c as the [policy] tables of misend's configuration file,
// for review or to paste into the file.
func (c *Config) TOML() ([]byte, error) {
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(false)
	if err := enc.Encode(struct {
		Policy configTOML `toml:"policy"`
	}{c.toTOML()}); err != nil {
		return nil, fmt.Errorf("policy: write TOML: %w", err)
	}
	return buf.Bytes(), nil
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

// configTOML and rulesTOML are Config and Rules as written out. Bands is a
// pointer so that bands of one's own with none in them (the score alone
// stops nothing) are written as an empty table, not left out, which would
// read back as "the default's".
type configTOML struct {
	TrustedDomains []string             `toml:"trusted_domains,omitempty"`
	ExemptSenders  []string             `toml:"exempt_senders,omitempty"`
	Default        rulesTOML            `toml:"default"`
	Departments    map[string]rulesTOML `toml:"department,omitempty"`
}

type rulesTOML struct {
	Bands        *map[Verdict]float64     `toml:"bands,omitempty,inline"`
	Codes        map[finding.Code]Verdict `toml:"codes,omitempty,inline"`
	DelayMinutes int                      `toml:"delay_minutes,omitempty"`
	Shadow       *bool                    `toml:"shadow,omitempty"`
	FailSafe     Verdict                  `toml:"fail_safe,omitempty"`
}

func (c *Config) toTOML() configTOML {
	out := configTOML{TrustedDomains: c.TrustedDomains, ExemptSenders: c.ExemptSenders, Default: c.Default.toTOML()}
	if len(c.Departments) > 0 {
		out.Departments = make(map[string]rulesTOML, len(c.Departments))
		for k, r := range c.Departments {
			out.Departments[k] = r.toTOML()
		}
	}
	return out
}

func (r Rules) toTOML() rulesTOML {
	out := rulesTOML{Codes: r.Codes, DelayMinutes: r.DelayMinutes, Shadow: r.Shadow, FailSafe: r.FailSafe}
	if r.Bands != nil {
		b := r.Bands
		out.Bands = &b
	}
	return out
}
