// Package approval decides what happens to held mail nobody decides, as
// Japanese mail gateways do: after a while without a decision the approval
// request goes to the next approvers (the approvers' deputies, 代理承認,
// then the department's next level); after a further deadline a final
// action is taken (the message is returned to its sender, or rejected) and
// the sender and the approvers are told. Timers may count only business
// hours, in the organisation's time zone, with its holidays. A department
// may instead let its senders release their own held mail after a delay
// (上長承認なし・一時保留のみ).
//
// Every step goes through internal/held, which writes the audit entry
// before the step takes effect, and every notice through internal/notify.
// The clock is injected (Engine.Now), so what happens at a deadline is
// tested without waiting for it.
//
// It deliberately does not decide on messages, keep state of its own (the
// stage a message reached is kept with it in the spool) or act on mail that
// waits for its sender's confirmation or a delay: only held mail.
package approval

import (
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"strings"
	"time"
)

// FinalAction is what happens to held mail nobody decided on in time.
type FinalAction string

// Final actions.
const (
	// Return hands the message back to its sender, unsent to anyone else:
	// it is delivered to the sender alone, so nothing is lost, and the
	// sender can correct it and send it again.
	Return FinalAction = "return"
	// Reject refuses it, as an approver's refusal would; its body is
	// deleted.
	Reject FinalAction = "reject"
)

// Duration is a time.Duration written as "90m" or "4h".
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("negative duration %s", b)
	}
	*d = Duration(v)
	return nil
}

// Rules are one department's (or the default) lifecycle settings; in a
// department's table a zero value means "as the default says".
//
//	escalate_after = "4h"            # no decision: the request goes to the next approvers
//	final_after = "24h"              # no decision since the hold: the final action
//	final_action = "return"          # return (to the sender) or reject
//	escalate_to = "organization"     # the next level after the deputies
//	self_release = true              # no approver: the sender releases after the delay
//	self_release_after = "30m"
type Rules struct {
	EscalateAfter    Duration    `toml:"escalate_after"`
	FinalAfter       Duration    `toml:"final_after"`
	FinalAction      FinalAction `toml:"final_action"`
	EscalateTo       string      `toml:"escalate_to"`
	SelfRelease      *bool       `toml:"self_release"`
	SelfReleaseAfter Duration    `toml:"self_release_after"`
}

// Config is the [approval] table of misend's configuration.
//
//	[approval]
//	escalate_after = "4h"
//	final_after = "24h"
//	final_action = "return"
//	business_hours = "09:00-18:00"   # timers count only these hours …
//	business_days = ["mon", "tue", "wed", "thu", "fri"]
//	holidays = ["2027-01-01", "2027-01-11"]   # … and not these days
//	deputies = { "bucho@corp.example" = "jicho@corp.example" }
//
//	[approval.department."総務部"]
//	self_release = true
//	self_release_after = "30m"
type Config struct {
	Rules
	BusinessHours string            `toml:"business_hours"`
	BusinessDays  []string          `toml:"business_days"`
	Holidays      []string          `toml:"holidays"`
	Deputies      map[string]string `toml:"deputies"`
	Department    map[string]Rules  `toml:"department"`
}

// Validate checks the values a file may get wrong, naming the key.
func (c *Config) Validate() error {
	if err := c.Rules.validate("approval"); err != nil {
		return err
	}
	for name, r := range c.Department {
		if strings.TrimSpace(name) == "" {
			return errors.New("approval.department: empty department name")
		}
		if err := r.validate(fmt.Sprintf("approval.department.%q", name)); err != nil {
			return err
		}
		eff := c.For(name)
		if eff.FinalAfter > 0 && eff.EscalateAfter >= eff.FinalAfter {
			return fmt.Errorf("approval.department.%q: escalate_after %s is not before final_after %s: nobody would be asked in time",
				name, time.Duration(eff.EscalateAfter), time.Duration(eff.FinalAfter))
		}
	}
	if c.FinalAfter > 0 && c.EscalateAfter >= c.FinalAfter {
		return fmt.Errorf("approval.escalate_after %s is not before approval.final_after %s: nobody would be asked in time",
			time.Duration(c.EscalateAfter), time.Duration(c.FinalAfter))
	}
	if _, err := c.Calendar(time.UTC); err != nil {
		return err
	}
	for from, to := range c.Deputies {
		for _, a := range []string{from, to} {
			if p, err := mail.ParseAddress(a); err != nil || p.Address != a || p.Name != "" {
				return fmt.Errorf("approval.deputies: %q is not a bare address", a)
			}
		}
		if strings.EqualFold(from, to) {
			return fmt.Errorf("approval.deputies: %s is their own deputy", from)
		}
	}
	return nil
}

func (r Rules) validate(key string) error {
	switch r.FinalAction {
	case "", Return, Reject:
	default:
		return fmt.Errorf("%s.final_action: %q is not return or reject", key, r.FinalAction)
	}
	if s := r.EscalateTo; s != "" && s != "organization" && !strings.HasPrefix(s, "department:") && !strings.HasPrefix(s, "group:") {
		return fmt.Errorf("%s.escalate_to: %q is not organization, department:NAME or group:NAME", key, s)
	}
	if r.SelfReleaseAfter > 0 && r.SelfRelease != nil && !*r.SelfRelease {
		return fmt.Errorf("%s.self_release_after is set but self_release is false", key)
	}
	return nil
}

// For returns the rules in force for dept: its table laid over the
// default, with the built-in defaults for what neither sets (final action
// return, next level the organisation's approvers).
func (c *Config) For(dept string) Rules {
	r := c.Rules
	if c.Department != nil {
		if d, ok := c.Department[dept]; ok {
			if d.EscalateAfter > 0 {
				r.EscalateAfter = d.EscalateAfter
			}
			if d.FinalAfter > 0 {
				r.FinalAfter = d.FinalAfter
			}
			if d.FinalAction != "" {
				r.FinalAction = d.FinalAction
			}
			if d.EscalateTo != "" {
				r.EscalateTo = d.EscalateTo
			}
			if d.SelfRelease != nil {
				r.SelfRelease = d.SelfRelease
			}
			if d.SelfReleaseAfter > 0 {
				r.SelfReleaseAfter = d.SelfReleaseAfter
			}
		}
	}
	if r.FinalAction == "" {
		r.FinalAction = Return
	}
	if r.EscalateTo == "" {
		r.EscalateTo = "organization"
	}
	return r
}

// SelfReleases reports whether senders of dept release their own held mail
// (no approver is asked).
func (r Rules) SelfReleases() bool { return r.SelfRelease != nil && *r.SelfRelease }

// deputies returns the configured deputies keyed by lower-cased address.
func (c *Config) deputies() map[string]string {
	out := make(map[string]string, len(c.Deputies))
	for k, v := range maps.All(c.Deputies) {
		out[strings.ToLower(k)] = strings.ToLower(v)
	}
	return out
}
