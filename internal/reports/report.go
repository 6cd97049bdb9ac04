package reports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

// Bucket is the length of one period.
type Bucket string

// Period lengths.
const (
	Hour  Bucket = "hour"
	Day   Bucket = "day"
	Week  Bucket = "week" // starting Monday
	Month Bucket = "month"
)

// MaxPeriods bounds one report, so a request for a decade by the hour is
// refused rather than answered with a huge table.
const MaxPeriods = 1000

// Errors callers may test for.
var ErrQuery = errors.New("reports: bad query")

// Query says what to sum up.
type Query struct {
	Since, Until time.Time      // [Since, Until)
	Bucket       Bucket         // default Day
	Location     *time.Location // where days begin; default UTC
	// Departments limits the report to these departments (an approver's);
	// nil means every department. An empty, non-nil slice means none.
	Departments []string
}

// Verdicts lists the verdicts in order of friction, the order of series.
var Verdicts = []policy.Verdict{policy.Pass, policy.Warn, policy.Delay, policy.Confirm, policy.Hold, policy.Reject}

// Report is the summary the pages draw and the API returns.
type Report struct {
	Since   time.Time   `json:"since"`
	Until   time.Time   `json:"until"`
	Bucket  Bucket      `json:"bucket"`
	Periods []time.Time `json:"periods"` // start of each period
	// Verdicts has one series per verdict (what happened), Codes one per
	// finding code seen (messages carrying it), Feedback the series
	// "flagged", "false_alarms", "catches" and "shadowed"; every series has
	// one value per period.
	Verdicts []Series `json:"verdicts"`
	Codes    []Series `json:"codes"`
	Feedback []Series `json:"feedback"`
	// Departments and ByCode are totals over the whole range.
	Departments []Totals  `json:"departments"`
	ByCode      []CodeRow `json:"by_code"`
	Total       Totals    `json:"total"`
	Cells       []CellRow `json:"-"` // per period and department, for CSV
	codes       []finding.Code
}

// Series is one line or bar group of a chart.
type Series struct {
	Name   string `json:"name"`
	Values []int  `json:"values"`
}

// Counts are the sums behind every row.
type Counts struct {
	Decisions int            `json:"decisions"`
	Verdicts  map[string]int `json:"verdicts"` // what happened, by verdict
	// Flagged is mail the sender or an approver had to look at (any verdict
	// but pass); Shadowed is mail the rules flagged that passed because the
	// department runs in shadow mode.
	Flagged     int `json:"flagged"`
	Shadowed    int `json:"shadowed"`
	FalseAlarms int `json:"false_alarms"` // flagged, then confirmed, reported or released
	Catches     int `json:"catches"`      // flagged, then cancelled, recipient dropped or rejected
	// FalseAlarmRate and CatchRate are FalseAlarms and Catches over Flagged
	// (0 when nothing was flagged); flagged mail nobody answered (a warning
	// heeded silently, a delay that ran out) is in neither.
	FalseAlarmRate float64 `json:"false_alarm_rate"`
	CatchRate      float64 `json:"catch_rate"`
}

// Totals are the counts of one department (or all of them).
type Totals struct {
	Department string `json:"department"`
	Counts
}

// CodeRow is how often a finding code appeared and how people answered mail
// flagged with it: the signal for which detectors cry wolf.
type CodeRow struct {
	Code finding.Code `json:"code"`
	Counts
}

// CellRow is one period of one department.
type CellRow struct {
	Period     time.Time
	Department string
	Counts
	Codes map[finding.Code]int
}

// class is what feedback says about one flagged message.
type class uint8

const (
	unanswered class = iota
	falseAlarm
	caught
)

// Build reads decisions in the query's range and the feedback given on them
// and sums them up.
func Build(ctx context.Context, ds Decisions, fb Feedback, q Query) (*Report, error) {
	q, err := q.normalise()
	if err != nil {
		return nil, err
	}
	periods, err := q.periods()
	if err != nil {
		return nil, err
	}
	answers := map[string]class{}
	if fb != nil {
		err := fb.Each(ctx, q.Since, func(e feedback.Event) error {
			c := unanswered
			switch {
			case e.Kind.Catch():
				c = caught
			case e.Kind.FalseAlarm():
				c = falseAlarm
			}
			// A catch outranks a false alarm on the same message: one
			// recipient confirmed and another dropped still means misend
			// stopped a mistake.
			for _, k := range eventKeys(e) {
				if c > answers[k] {
					answers[k] = c
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var allow map[string]bool
	if q.Departments != nil {
		allow = map[string]bool{}
		for _, d := range q.Departments {
			allow[d] = true
		}
	}
	type cellKey struct {
		period int
		dept   string
	}
	cells := map[cellKey]*CellRow{}
	codeRows := map[finding.Code]*CodeRow{}
	err = ds.EachDecision(ctx, q.Since, q.Until, func(d Decision) error {
		if allow != nil && !allow[d.Department] {
			return nil
		}
		p := periodIndex(periods, d.At.In(q.Location))
		if p < 0 {
			return nil
		}
		k := cellKey{p, d.Department}
		c := cells[k]
		if c == nil {
			c = &CellRow{Period: periods[p], Department: d.Department, Counts: newCounts(), Codes: map[finding.Code]int{}}
			cells[k] = c
		}
		cl := unanswered
		flagged := d.Verdict != policy.Pass && d.Verdict != ""
		if flagged {
			cl = answerOf(answers, d)
		}
		c.add(d, flagged, cl)
		for i, code := range d.Codes {
			if slices.Contains(d.Codes[:i], code) {
				continue
			}
			c.Codes[code]++
			r := codeRows[code]
			if r == nil {
				r = &CodeRow{Code: code, Counts: newCounts()}
				codeRows[code] = r
			}
			r.add(d, flagged, cl)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return assemble(q, periods, cells2rows(cells), codeRows), nil
}

func cells2rows[K comparable](m map[K]*CellRow) []CellRow {
	out := make([]CellRow, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Period.Equal(out[j].Period) {
			return out[i].Period.Before(out[j].Period)
		}
		return out[i].Department < out[j].Department
	})
	return out
}

func newCounts() Counts { return Counts{Verdicts: map[string]int{}} }

func (c *Counts) add(d Decision, flagged bool, cl class) {
	c.Decisions++
	c.Verdicts[string(d.Verdict)]++
	if flagged {
		c.Flagged++
		switch cl {
		case falseAlarm:
			c.FalseAlarms++
		case caught:
			c.Catches++
		}
	} else if d.Decided != "" && d.Decided != policy.Pass {
		c.Shadowed++
	}
}

func (c *Counts) merge(o Counts) {
	c.Decisions += o.Decisions
	for v, n := range o.Verdicts {
		c.Verdicts[v] += n
	}
	c.Flagged += o.Flagged
	c.Shadowed += o.Shadowed
	c.FalseAlarms += o.FalseAlarms
	c.Catches += o.Catches
}

func (c *Counts) rates() {
	if c.Flagged > 0 {
		c.FalseAlarmRate = float64(c.FalseAlarms) / float64(c.Flagged)
		c.CatchRate = float64(c.Catches) / float64(c.Flagged)
	}
}

// eventKeys and decisionKeys name a message the same way on both sides: by
// misend's queue entry when it waited there, and by sender and Message-ID
// (an add-in's feedback on a draft it checked has no queue entry).
func eventKeys(e feedback.Event) []string {
	var ks []string
	if e.QueueID != "" {
		ks = append(ks, "q\x00"+e.QueueID)
	}
	if e.MessageID != "" {
		ks = append(ks, "m\x00"+e.Sender+"\x00"+e.MessageID)
	}
	return ks
}

func answerOf(answers map[string]class, d Decision) class {
	c := unanswered
	if d.QueueID != "" {
		c = answers["q\x00"+d.QueueID]
	}
	if d.MessageID != "" {
		c = max(c, answers["m\x00"+d.Sender+"\x00"+d.MessageID])
	}
	return c
}

func assemble(q Query, periods []time.Time, cells []CellRow, codeRows map[finding.Code]*CodeRow) *Report {
	r := &Report{Since: q.Since, Until: q.Until, Bucket: q.Bucket, Periods: periods, Cells: cells,
		Total: Totals{Counts: newCounts()}}
	idx := map[time.Time]int{}
	for i, p := range periods {
		idx[p] = i
	}
	verdicts := make([]Series, len(Verdicts))
	for i, v := range Verdicts {
		verdicts[i] = Series{Name: string(v), Values: make([]int, len(periods))}
	}
	fbNames := []string{"flagged", "false_alarms", "catches", "shadowed"}
	fb := make([]Series, len(fbNames))
	for i, n := range fbNames {
		fb[i] = Series{Name: n, Values: make([]int, len(periods))}
	}
	codeSeries := map[finding.Code][]int{}
	depts := map[string]*Totals{}
	for _, c := range cells {
		p := idx[c.Period]
		for i, v := range Verdicts {
			verdicts[i].Values[p] += c.Verdicts[string(v)]
		}
		fb[0].Values[p] += c.Flagged
		fb[1].Values[p] += c.FalseAlarms
		fb[2].Values[p] += c.Catches
		fb[3].Values[p] += c.Shadowed
		for code, n := range c.Codes {
			s := codeSeries[code]
			if s == nil {
				s = make([]int, len(periods))
				codeSeries[code] = s
			}
			s[p] += n
		}
		t := depts[c.Department]
		if t == nil {
			t = &Totals{Department: c.Department, Counts: newCounts()}
			depts[c.Department] = t
		}
		t.merge(c.Counts)
		r.Total.merge(c.Counts)
	}
	r.Verdicts, r.Feedback = verdicts, fb
	for code := range codeSeries {
		r.codes = append(r.codes, code)
	}
	slices.Sort(r.codes)
	for _, code := range r.codes {
		r.Codes = append(r.Codes, Series{Name: string(code), Values: codeSeries[code]})
	}
	for _, t := range depts {
		t.rates()
		r.Departments = append(r.Departments, *t)
	}
	sort.Slice(r.Departments, func(i, j int) bool { return r.Departments[i].Department < r.Departments[j].Department })
	for _, cr := range codeRows {
		cr.rates()
		r.ByCode = append(r.ByCode, *cr)
	}
	// Most frequent codes first: the table a reader scans for noisy detectors.
	sort.Slice(r.ByCode, func(i, j int) bool {
		if r.ByCode[i].Decisions != r.ByCode[j].Decisions {
			return r.ByCode[i].Decisions > r.ByCode[j].Decisions
		}
		return r.ByCode[i].Code < r.ByCode[j].Code
	})
	r.Total.rates()
	for i := range r.Cells {
		r.Cells[i].rates()
	}
	if r.Departments == nil {
		r.Departments = []Totals{}
	}
	if r.ByCode == nil {
		r.ByCode = []CodeRow{}
	}
	if r.Codes == nil {
		r.Codes = []Series{}
	}
	return r
}

func (q Query) normalise() (Query, error) {
	if q.Bucket == "" {
		q.Bucket = Day
	}
	switch q.Bucket {
	case Hour, Day, Week, Month:
	default:
		return q, fmt.Errorf("%w: bucket %q is not hour, day, week or month", ErrQuery, q.Bucket)
	}
	if q.Location == nil {
		q.Location = time.UTC
	}
	if q.Since.IsZero() || q.Until.IsZero() {
		return q, fmt.Errorf("%w: since and until are both needed", ErrQuery)
	}
	for _, t := range []time.Time{q.Since, q.Until} {
		if t.Year() < 1970 || t.Year() > 9999 {
			return q, fmt.Errorf("%w: %s is outside 1970–9999", ErrQuery, t.Format(time.RFC3339))
		}
	}
	if !q.Since.Before(q.Until) {
		return q, fmt.Errorf("%w: since %s is not before until %s", ErrQuery, q.Since.Format(time.RFC3339), q.Until.Format(time.RFC3339))
	}
	return q, nil
}

// periods returns the start of every period overlapping [Since, Until), in
// the query's location, so days begin at local midnight.
func (q Query) periods() ([]time.Time, error) {
	var out []time.Time
	for t := truncate(q.Since.In(q.Location), q.Bucket); t.Before(q.Until); t = next(t, q.Bucket) {
		if len(out) == MaxPeriods {
			return nil, fmt.Errorf("%w: more than %d %ss from %s to %s", ErrQuery, MaxPeriods, q.Bucket,
				q.Since.Format(time.RFC3339), q.Until.Format(time.RFC3339))
		}
		out = append(out, t)
	}
	return out, nil
}

func truncate(t time.Time, b Bucket) time.Time {
	y, m, d := t.Date()
	switch b {
	case Hour:
		return time.Date(y, m, d, t.Hour(), 0, 0, 0, t.Location())
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, t.Location())
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
	}
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// next steps by calendar, not by fixed durations, so a day with a
// daylight-saving change is still one day.
func next(t time.Time, b Bucket) time.Time {
	y, m, d := t.Date()
	switch b {
	case Hour:
		return t.Add(time.Hour)
	case Week:
		return time.Date(y, m, d+7, 0, 0, 0, 0, t.Location())
	case Month:
		return time.Date(y, m+1, 1, 0, 0, 0, 0, t.Location())
	}
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

// periodIndex finds the period t falls in; -1 if before the first.
func periodIndex(periods []time.Time, t time.Time) int {
	i := sort.Search(len(periods), func(i int) bool { return periods[i].After(t) })
	return i - 1
}
