package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/policystore"
)

type bandRow struct {
	Verdict policy.Verdict
	At      float64
}

type codeRow struct {
	Code    string
	Verdict policy.Verdict
}

type policyRow struct {
	// ID names the section's form fields and anchor: "default", "d1", …
	ID         string
	Department string // "" for the organisation's default
	Bands      []bandRow
	Codes      []codeRow
	Levels     []codeRow // classification level → least verdict; Code holds the level
	Delay      int
	Shadow     bool
	ShadowSet  bool
	FailSafe   policy.Verdict
	Inherits   bool // no bands of its own
	// BandAt and CodeOf are the same for the edit form, by verdict and
	// code ("" when unset).
	BandAt map[string]string
	CodeOf map[string]string
}

func rowOf(id, dept string, r policy.Rules) policyRow {
	row := policyRow{ID: id, Department: dept, Delay: r.DelayMinutes, FailSafe: r.FailSafe, Inherits: r.Bands == nil,
		BandAt: map[string]string{}, CodeOf: map[string]string{}}
	if r.Shadow != nil {
		row.Shadow, row.ShadowSet = *r.Shadow, true
	}
	for v, at := range r.Bands {
		row.Bands = append(row.Bands, bandRow{v, at})
		row.BandAt[string(v)] = strconv.FormatFloat(at, 'f', -1, 64)
	}
	slices.SortFunc(row.Bands, func(a, b bandRow) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	for c, v := range r.Codes {
		row.Codes = append(row.Codes, codeRow{string(c), v})
		row.CodeOf[string(c)] = string(v)
	}
	slices.SortFunc(row.Codes, func(a, b codeRow) int { return strings.Compare(a.Code, b.Code) })
	for l, v := range r.Levels {
		row.Levels = append(row.Levels, codeRow{l, v})
	}
	slices.SortFunc(row.Levels, func(a, b codeRow) int { return strings.Compare(a.Code, b.Code) })
	return row
}

type policyData struct {
	Default     policyRow
	Departments []policyRow
	// Unlisted are departments of the directory with no rules of their
	// own: they follow the default.
	Unlisted []string
	// Advice is what the configuration check found, in the page's language.
	Advice []adviceRow
	// Trusted and Exempt are the organisation's trusted outside domains
	// and exempt senders.
	Trusted, Exempt []string
	// Stored: the policy is kept in the database (else it is the
	// configuration file's, read-only); CanEdit: and the reader is an
	// administrator.
	Stored, CanEdit bool
	// Version is the saved version in force (0: the configuration
	// file's), with who saved it and when.
	Version     policystore.Version
	FileDiffers bool
	// Problems are why the last change was refused, in the page's
	// language.
	Problems []string
	// Form lists for the edit forms.
	Verdicts, BandVerdicts []string
	Codes                  []string
	// Builtin is the built-in verdict of each code that has one: what a
	// code left blank on the organisation's row means, since configured
	// codes merge over the built-in ones.
	Builtin map[string]string
}

type adviceRow struct {
	Severity string
	Key      string
	Text     string
}

// editCodes are the finding codes an administrator can give a least
// verdict, in the order the catalogue explains them.
var editCodes = []finding.Code{finding.ConfidentialTerms, finding.PersonalData, finding.LookalikeDomain, finding.SimilarContact,
	finding.GreetingMismatch, finding.ReplyAuthorMissing, finding.CrossCompany, finding.ExternalInInternalThread, finding.BccRecommended,
	finding.UnusualCombination, finding.NewDomain, finding.NewRecipient, finding.FreemailRecipient,
	finding.EncryptedAttachment, finding.AttachmentUnreadable, finding.UnusualVolume, finding.UnusualTime,
	finding.SentAs, finding.ParseProblem}

// policyConfig is the policy in force.
func (w *Web) policyConfig() *policy.Config {
	if w.o.Policies != nil {
		return w.o.Policies.Current().Config
	}
	return w.o.Policy
}

func (w *Web) policyData(q *req, cfg *policy.Config) policyData {
	d := policyData{Default: rowOf("default", "", cfg.Default), Trusted: cfg.TrustedDomains, Exempt: cfg.ExemptSenders,
		CanEdit: w.o.Policies != nil && q.p.Has(auth.RoleAdmin), BandVerdicts: []string{"warn", "delay", "confirm", "hold", "reject"},
		Verdicts: []string{"pass", "warn", "delay", "confirm", "hold", "reject"}}
	if w.o.Policies != nil {
		d.Stored, d.Version, d.FileDiffers = true, w.o.Policies.Current(), w.o.Policies.FileDiffers()
	}
	names := make([]string, 0, len(cfg.Departments))
	for name := range cfg.Departments {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		d.Departments = append(d.Departments, rowOf("d"+strconv.Itoa(i+1), name, cfg.Departments[name]))
	}
	seen := map[string]bool{}
	for _, p := range w.Directory().People() {
		if _, ok := cfg.Departments[p.Department]; !ok && p.Department != "" && !seen[p.Department] {
			seen[p.Department] = true
			d.Unlisted = append(d.Unlisted, p.Department)
		}
	}
	slices.Sort(d.Unlisted)
	for _, a := range w.o.ConfigAdvice {
		d.Advice = append(d.Advice, adviceRow{string(a.Severity), a.Key, a.Text(q.lang)})
	}
	for _, c := range editCodes {
		d.Codes = append(d.Codes, string(c))
	}
	d.Builtin = map[string]string{}
	for c, v := range policy.DefaultConfig().Default.Codes {
		d.Builtin[string(c)] = string(v)
	}
	// A code set in the file that the form does not list stays editable.
	for _, rules := range append([]policy.Rules{cfg.Default}, mapValues(cfg.Departments)...) {
		for c := range rules.Codes {
			if !slices.Contains(d.Codes, string(c)) {
				d.Codes = append(d.Codes, string(c))
			}
		}
	}
	return d
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// policyPage shows the policy in force: to administrators as forms when
// it is kept in the database, to everyone else read-only.
func (w *Web) policyPage(rw http.ResponseWriter, r *http.Request, q *req) {
	w.render(rw, r, q, http.StatusOK, "policy", page{Title: "title.policy", Notice: notice(r), Data: w.policyData(q, w.policyConfig())})
}

// policyExport downloads the policy in force as the [policy] tables of
// the configuration file, for review or to put back into the file.
func (w *Web) policyExport(rw http.ResponseWriter, r *http.Request, q *req) {
	cfg := w.policyConfig()
	text, err := cfg.TOML()
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	head := "# misend policy in force: the configuration file's\n"
	name := "misend-policy.toml"
	if w.o.Policies != nil {
		if v := w.o.Policies.Current(); v.Number > 0 {
			head = fmt.Sprintf("# misend policy in force: version %d, saved by %s at %s\n", v.Number, v.Actor, v.At.In(w.o.Location).Format("2006-01-02 15:04 MST"))
			name = fmt.Sprintf("misend-policy-v%d.toml", v.Number)
		}
	}
	h := rw.Header()
	h.Set("Content-Type", "application/toml; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	rw.Write([]byte(head + "# exported " + w.o.Now().In(w.o.Location).Format("2006-01-02 15:04 MST") + " by " + q.p.Address + "\n\n"))
	rw.Write(text)
}

// formProblem is a field of a policy form that cannot be read at all (a
// score that is no number), said like a policy.Problem.
func formProblem(section, key string, args ...any) error {
	return &policy.Problem{Section: section, Key: key, Args: args}
}

// maxPolicyFields bounds the fields of one policy form: the form has a
// few dozen.
const maxPolicyFields = 200

// policyRules saves one section of the policy: the default's or a
// department's bands, least verdicts by finding, delay, shadow mode and
// fail-safe; or, with add, gives a department rules of its own.
func (w *Web) policyRules(rw http.ResponseWriter, r *http.Request, q *req) {
	if w.o.Policies == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	if len(r.PostForm) > maxPolicyFields {
		w.fail(rw, r, q, http.StatusBadRequest, "err.badinput")
		return
	}
	base, cfg, ok := w.policyBase(rw, r, q)
	if !ok {
		return
	}
	dept := strings.TrimSpace(r.PostFormValue("dept"))
	section := "policy.default"
	if dept != "" {
		section = fmt.Sprintf("policy.department.%q", dept)
	}
	if len(dept) > 200 {
		w.policyRefused(rw, r, q, cfg, formProblem(section, "dept_long"))
		return
	}
	if r.PostFormValue("add") != "" {
		if dept == "" {
			w.policyRefused(rw, r, q, cfg, formProblem("policy.department", "dept_empty"))
			return
		}
		if _, ok := cfg.Departments[dept]; ok {
			w.policyRefused(rw, r, q, cfg, formProblem(section, "dept_exists"))
			return
		}
		if cfg.Departments == nil {
			cfg.Departments = map[string]policy.Rules{}
		}
		cfg.Departments[dept] = policy.Rules{}
		w.policyApply(rw, r, q, base, cfg, "department:"+dept+" added")
		return
	}
	if dept != "" {
		if _, ok := cfg.Departments[dept]; !ok {
			w.policyRefused(rw, r, q, cfg, formProblem(section, "dept_unknown"))
			return
		}
	}
	rules, errs := readRules(r, section, dept == "")
	if dept == "" {
		cfg.Default = rules
	} else {
		cfg.Departments[dept] = rules
	}
	if len(errs) > 0 {
		w.policyRefused(rw, r, q, cfg, errs...)
		return
	}
	what := "default"
	if dept != "" {
		what = "department:" + dept
	}
	w.policyApply(rw, r, q, base, cfg, what)
}

// readRules reads one section's form.
func readRules(r *http.Request, section string, isDefault bool) (policy.Rules, []error) {
	var rules policy.Rules
	var errs []error
	if isDefault || r.PostFormValue("own_bands") != "" {
		rules.Bands = map[policy.Verdict]float64{}
		for _, v := range []policy.Verdict{policy.Warn, policy.Delay, policy.Confirm, policy.Hold, policy.Reject} {
			s := strings.TrimSpace(r.PostFormValue("band." + string(v)))
			if s == "" {
				continue
			}
			at, err := strconv.ParseFloat(s, 64)
			if err != nil {
				errs = append(errs, formProblem(section, "number", string(v), s))
				continue
			}
			rules.Bands[v] = at
		}
		if isDefault && len(rules.Bands) == 0 {
			// With no band the score alone never stops anything: a form
			// left blank by mistake must not switch misend off.
			errs = append(errs, formProblem(section, "no_bands"))
		}
	}
	for key := range r.PostForm {
		code, ok := strings.CutPrefix(key, "code.")
		if !ok {
			continue
		}
		if v := r.PostFormValue(key); v != "" {
			if rules.Codes == nil {
				rules.Codes = map[finding.Code]policy.Verdict{}
			}
			rules.Codes[finding.Code(code)] = policy.Verdict(v)
		}
	}
	if s := strings.TrimSpace(r.PostFormValue("delay")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs = append(errs, formProblem(section, "minutes", s))
		}
		rules.DelayMinutes = n
	}
	switch s := r.PostFormValue("shadow"); s {
	case "":
	case "on", "off":
		on := s == "on"
		rules.Shadow = &on
	default:
		errs = append(errs, formProblem(section, "shadow", s))
	}
	rules.FailSafe = policy.Verdict(r.PostFormValue("fail_safe"))
	return rules, errs
}

// policyLists saves the trusted outside domains and exempt senders, one
// a line.
func (w *Web) policyLists(rw http.ResponseWriter, r *http.Request, q *req) {
	base, cfg, ok := w.policyBase(rw, r, q)
	if !ok {
		return
	}
	cfg.TrustedDomains = listLines(r.PostFormValue("trusted_domains"))
	cfg.ExemptSenders = listLines(r.PostFormValue("exempt_senders"))
	var errs []error
	for _, d := range cfg.TrustedDomains {
		// Anyone can have an address at a freemail provider: trusting
		// one would wave through mail to strangers.
		if n, ok := policy.NormalizeDomain(d); ok && detect.IsFreemail(n) {
			errs = append(errs, formProblem("policy", "freemail", d))
		}
	}
	if len(errs) > 0 {
		w.policyRefused(rw, r, q, cfg, errs...)
		return
	}
	w.policyApply(rw, r, q, base, cfg, "trusted domains and exempt senders")
}

// policyRemove takes a department's own rules away: it follows the
// default again.
func (w *Web) policyRemove(rw http.ResponseWriter, r *http.Request, q *req) {
	base, cfg, ok := w.policyBase(rw, r, q)
	if !ok {
		return
	}
	dept := r.PostFormValue("dept")
	if _, ok := cfg.Departments[dept]; !ok {
		w.policyRefused(rw, r, q, cfg, formProblem(fmt.Sprintf("policy.department.%q", dept), "dept_unknown"))
		return
	}
	delete(cfg.Departments, dept)
	w.policyApply(rw, r, q, base, cfg, "department:"+dept+" removed")
}

// policyReset saves the configuration file's policy as the next version.
func (w *Web) policyReset(rw http.ResponseWriter, r *http.Request, q *req) {
	base, _, ok := w.policyBase(rw, r, q)
	if !ok {
		return
	}
	w.policyApply(rw, r, q, base, w.o.Policies.File(), "reset to the configuration file")
}

// policyBase reads the version a form was made from and returns an
// editable copy of the policy in force; a form made from an older version
// is refused, showing the policy as it is now. Without a policy store (no
// database) there is no form to answer: 404.
func (w *Web) policyBase(rw http.ResponseWriter, r *http.Request, q *req) (int64, policy.Config, bool) {
	if w.o.Policies == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return 0, policy.Config{}, false
	}
	cur := w.o.Policies.Current()
	base, err := strconv.ParseInt(r.PostFormValue("base"), 10, 64)
	if err != nil {
		w.fail(rw, r, q, http.StatusBadRequest, "err.badinput")
		return 0, policy.Config{}, false
	}
	if base != cur.Number {
		w.policyRefused(rw, r, q, cur.Config.Clone(), policystore.ErrConflict)
		return 0, policy.Config{}, false
	}
	return base, cur.Config.Clone(), true
}

// policyApply saves cfg through the store (validated, audited, stored,
// in force) and goes back to the page.
func (w *Web) policyApply(rw http.ResponseWriter, r *http.Request, q *req, base int64, cfg policy.Config, what string) {
	_, err := w.o.Policies.Apply(r.Context(), policystore.Change{Actor: q.p.Address, Role: string(auth.RoleAdmin),
		Remote: r.RemoteAddr, Base: base, Config: cfg, What: what})
	switch {
	case errors.Is(err, policystore.ErrNoChange):
		http.Redirect(rw, r, "/policy?done=policysame", http.StatusSeeOther)
	case errors.Is(err, policystore.ErrConflict):
		w.policyRefused(rw, r, q, w.o.Policies.Current().Config.Clone(), err)
	case err != nil && isProblem(err):
		w.policyRefused(rw, r, q, cfg, err)
	case err != nil:
		w.internal(rw, r, q, err)
	default:
		http.Redirect(rw, r, "/policy?done=policysaved", http.StatusSeeOther)
	}
}

func isProblem(err error) bool {
	var p *policy.Problem
	return errors.As(err, &p)
}

// policyRefused shows the page again with what was wrong, and cfg (the
// edit as far as it could be read, or the policy in force after a
// conflict) in the forms.
func (w *Web) policyRefused(rw http.ResponseWriter, r *http.Request, q *req, cfg policy.Config, errs ...error) {
	d := w.policyData(q, &cfg)
	for _, err := range errs {
		d.Problems = append(d.Problems, problemTexts(q.lang, err)...)
	}
	status := http.StatusBadRequest
	if slices.ContainsFunc(errs, func(e error) bool { return errors.Is(e, policystore.ErrConflict) }) {
		status = http.StatusConflict
	}
	w.render(rw, r, q, status, "policy", page{Title: "title.policy", Error: "err.policy", Data: d})
}

// problemTexts says err in lang: each policy.Problem with the section it
// is in, from the catalogue.
func problemTexts(lang string, err error) []string {
	if errors.Is(err, policystore.ErrConflict) {
		return []string{tr(lang, "policyerr.conflict")}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, problemTexts(lang, e)...)
		}
		return out
	}
	var p *policy.Problem
	if !errors.As(err, &p) {
		return []string{err.Error()}
	}
	key := "policyerr." + p.Key
	text := p.Error()
	if _, ok := messages[key]; ok {
		text = tr(lang, key, p.Args...)
	}
	switch {
	case p.Section == "policy":
		// The lists' sentences name the list themselves.
		return []string{text}
	case p.Section == "policy.department":
		return []string{text} // about a department without a name
	case strings.HasPrefix(p.Section, "policy.department."):
		return []string{p.Department() + ": " + text}
	}
	return []string{tr(lang, "policy.default") + ": " + text}
}

// listLines splits a textarea into its non-empty lines (commas and spaces
// separate too, as people paste lists).
func listLines(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' || r == '、' })
}
