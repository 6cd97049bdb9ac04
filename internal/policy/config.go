package policy

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/finding"
)

// Config is the policy section of misend's TOML configuration:
//
//	[policy.default]
//	bands = { warn = 0.5, confirm = 0.7, hold = 0.9 }
//	codes = { CONFIDENTIAL_TERMS = "hold", LOOKALIKE_DOMAIN = "confirm" }
//	delay_minutes = 5
//	fail_safe = "hold"
//
//	[policy.department."営業部"]
//	shadow = true
//
// A department inherits every field it leaves out from the default. Its
// bands, when given, replace the default bands as a whole (a partial merge
// of thresholds is too easy to misread); its codes are merged code by code.
type Config struct {
	// TrustedDomains are outside organisations the whole organisation
	// deals with as closely as with itself (group companies, the auditor,
	// the outsourced IT desk): mail to them is not asked about because
	// the domain is new to the sender or because it mixes them with one
	// other company. A subdomain is trusted with its domain; a look-alike
	// is not, and is compared with them like any known partner (see
	// Trusted).
	TrustedDomains []string `toml:"trusted_domains,omitempty"`
	// ExemptSenders are the organisation's own bulk and system senders
	// (noreply@corp.example, or noreply@ for that local part at every
	// organisation domain), whose mail is decided and recorded but never
	// stopped (see Exempt).
	ExemptSenders []string         `toml:"exempt_senders,omitempty"`
	Default       Rules            `toml:"default"`
	Departments   map[string]Rules `toml:"department,omitempty"`
	// Classification says what labels and tags mean (see Classification).
	Classification Classification `toml:"classification"`

	rules *compiled // set by Validate
}

// Rules is the policy of one department, or of the organisation.
type Rules struct {
	// Bands maps a verdict to the score from which it applies.
	Bands map[Verdict]float64 `toml:"bands,omitempty"`
	// Codes maps a finding code to the least verdict a message with such a
	// finding gets, whatever its score.
	Codes map[finding.Code]Verdict `toml:"codes,omitempty"`
	// DelayMinutes is how long a delayed message waits; 0 inherits.
	DelayMinutes int `toml:"delay_minutes,omitempty"`
	// Shadow: decide and record, but always pass.
	Shadow *bool `toml:"shadow,omitempty"`
	// FailSafe is the verdict when detection fails or times out.
	FailSafe Verdict `toml:"fail_safe,omitempty"`
	// Levels maps a classification level (公開, 社内限定, 機密, 極秘, or
	// the organisation's own) to the least verdict a message labelled so
	// gets when a recipient is outside the level's scope; merged level by
	// level over the built-in ones (社内限定 confirm, 機密 and 極秘 hold)
	// and, for a department, over the default's.
	Levels map[string]Verdict `toml:"levels,omitempty"`
}

// DefaultConfig is the policy used when none is configured: most mail passes,
// a confidential-term leak is held for an approver, a mass mail with outside
// addresses in To/Cc, personal data, an outsider joining an internal-only
// thread, a greeting or attachment naming someone not on the message, or
// two outside companies never mailed together asks the sender to confirm, an attachment that cannot be read or
// needs a password warns, and detection failures hold.
func DefaultConfig() Config {
	return Config{Default: Rules{
		Bands: map[Verdict]float64{Warn: 0.5, Confirm: 0.7, Hold: 0.9},
		// These are mistakes the sender can see for themselves once told:
		// ask them. An outsider on a thread that was internal only is how a
		// department's discussion leaks; honest mail almost never does it
		// (no honest message in the synthetic year's test months nor in
		// the Enron corpus), so asking costs next to nothing.
		Codes: map[finding.Code]Verdict{
			finding.ConfidentialTerms:        Hold,
			finding.BccRecommended:           Confirm,
			finding.PersonalData:             Confirm,
			finding.ExternalInInternalThread: Confirm,
			// A greeting or attachment naming someone who is not on the
			// message, and two outside companies never mailed together,
			// are the classic wrong-partner mistakes, and explain
			// themselves; on the Enron mailboxes each is set on under
			// 0.1% of honest mail, so asking costs next to nothing even
			// where the score alone would not stop them.
			finding.GreetingMismatch: Confirm,
			finding.CrossCompany:     Confirm,
			// An attachment leaving unchecked, or locked with a password
			// (PPAP), is worth a line to the sender, not a stop: a
			// department that forbids PPAP sets ENCRYPTED_ATTACHMENT to
			// confirm or hold.
			finding.AttachmentUnreadable: Warn,
			finding.EncryptedAttachment:  Warn,
		},
		// Mail marked for inside eyes only is the sender's to confirm,
		// confidential and secret mail an approver's.
		Levels:       maps.Clone(defaultLevels),
		DelayMinutes: 5,
		FailSafe:     Hold,
	}}
}

// builtinCodes are DefaultConfig's codes, what a configured policy's codes
// are merged over.
var builtinCodes = DefaultConfig().Default.Codes

var defaultConfig = func() Config {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		panic(err)
	}
	return c
}()

// Longest delay accepted: a delay is a chance to cancel, not a hold.
const maxDelayMinutes = 24 * 60

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// Validate checks cfg and prepares it for use; errors name the offending
// field so an operator can fix the file. Each is a *Problem, which the web
// UI says in the reader's language.
func (c *Config) Validate() error {
	var errs []error
	if c.Default.DelayMinutes == 0 {
		c.Default.DelayMinutes = 5
	}
	if c.Default.FailSafe == "" {
		c.Default.FailSafe = Hold
	}
	if c.Default.Bands == nil {
		c.Default.Bands = DefaultConfig().Default.Bands
	}
	errs = append(errs, c.Default.check("policy.default")...)
	for name, r := range c.Departments {
		if name == "" {
			errs = append(errs, &Problem{Section: "policy.department", Key: "dept_empty"})
			continue
		}
		errs = append(errs, r.check(fmt.Sprintf("policy.department.%q", name))...)
	}
	var lerrs []error
	c.TrustedDomains, lerrs = normalizeDomains(c.TrustedDomains)
	errs = append(errs, lerrs...)
	c.ExemptSenders, lerrs = normalizeSenders(c.ExemptSenders)
	errs = append(errs, lerrs...)
	if err := c.Classification.check(); err != nil {
		errs = append(errs, fmt.Errorf("policy.%w", err))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	c.compile()
	return nil
}

func (r *Rules) check(section string) []error {
	var errs []error
	bad := func(key string, args ...any) { errs = append(errs, &Problem{Section: section, Key: key, Args: args}) }
	type band struct {
		v  Verdict
		at float64
	}
	var bs []band
	for v, at := range r.Bands {
		switch {
		case !v.Valid():
			bad("band_verdict", string(v))
		case v == Pass:
			bad("band_pass")
		case !(at > 0 && at <= 1):
			bad("band_range", string(v), at)
		default:
			bs = append(bs, band{v, at})
		}
	}
	// A stricter verdict starting at a lower score than a milder one would
	// make the milder band unreachable: almost surely a typo.
	sort.Slice(bs, func(i, j int) bool { return bs[i].v.Stricter(bs[j].v) })
	for i := 1; i < len(bs); i++ {
		if bs[i-1].at <= bs[i].at {
			bad("band_order", string(bs[i-1].v), bs[i-1].at, string(bs[i].v), bs[i].at)
		}
	}
	for code, v := range r.Codes {
		if !codePattern.MatchString(string(code)) {
			bad("code_name", string(code))
		}
		if !v.Valid() {
			bad("code_verdict", string(code), string(v))
		}
	}
	if r.DelayMinutes < 0 || r.DelayMinutes > maxDelayMinutes {
		bad("delay_range", r.DelayMinutes, maxDelayMinutes)
	}
	for level, v := range r.Levels {
		if !v.Valid() {
			errs = append(errs, fmt.Errorf("levels: %q = %q: unknown verdict", level, v))
		}
	}
	if r.FailSafe != "" && !r.FailSafe.Valid() {
		bad("failsafe_verdict", string(r.FailSafe))
	}
	return errs
}

// resolved is one department's rules with inheritance applied.
type resolved struct {
	bands    []resolvedBand // strictest first
	codes    map[finding.Code]Verdict
	levels   map[string]Verdict
	delay    time.Duration
	shadow   bool
	failSafe Verdict
}

type resolvedBand struct {
	verdict Verdict
	at      float64
}

// compiled rules live beside the Config so a Policy copies cheaply.
type compiled struct {
	def            resolved
	depts          map[string]*resolved
	trusted        map[string]bool // TrustedDomains
	exempt         map[string]bool // ExemptSenders: addresses and "local@" parts
	classification compiledClassification
}

func (c *Config) compile() {
	c.rules = &compiled{depts: make(map[string]*resolved, len(c.Departments)), trusted: map[string]bool{}, exempt: map[string]bool{}}
	for _, d := range c.TrustedDomains {
		c.rules.trusted[d] = true
	}
	for _, a := range c.ExemptSenders {
		c.rules.exempt[a] = true
	}
	// A configured policy's codes are merged code by code over the
	// built-in ones, as levels are: a file that sets one code (a
	// department's ENCRYPTED_ATTACHMENT = "hold") must not silently drop
	// the hold on confidential terms. A code is turned off with "pass".
	c.rules.def = resolve(c.Default, &resolved{codes: builtinCodes, levels: defaultLevels})
	c.rules.classification = compileClassification(c.Classification)
	for name, r := range c.Departments {
		res := resolve(r, &c.rules.def)
		c.rules.depts[name] = &res
	}
}

func resolve(r Rules, parent *resolved) resolved {
	var out resolved
	if parent != nil {
		out = *parent
	}
	if r.Bands != nil {
		out.bands = nil
		for v, at := range r.Bands {
			out.bands = append(out.bands, resolvedBand{v, at})
		}
		sort.Slice(out.bands, func(i, j int) bool { return out.bands[i].verdict.Stricter(out.bands[j].verdict) })
	}
	codes := make(map[finding.Code]Verdict)
	if parent != nil {
		for k, v := range parent.codes {
			codes[k] = v
		}
	}
	for k, v := range r.Codes {
		codes[k] = v
	}
	out.codes = codes
	levels := make(map[string]Verdict)
	if parent != nil {
		for k, v := range parent.levels {
			levels[k] = v
		}
	}
	for k, v := range r.Levels {
		levels[strings.TrimSpace(k)] = v
	}
	out.levels = levels
	if r.DelayMinutes > 0 {
		out.delay = time.Duration(r.DelayMinutes) * time.Minute
	}
	if r.Shadow != nil {
		out.shadow = *r.Shadow
	}
	if r.FailSafe != "" {
		out.failSafe = r.FailSafe
	}
	return out
}

func (c *Config) rulesFor(dept string) *resolved {
	if c.rules == nil {
		// Not validated: the built-in policy, never no policy.
		return defaultConfig.rulesFor(dept)
	}
	if r, ok := c.rules.depts[dept]; ok {
		return r
	}
	return &c.rules.def
}

func formatScore(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
