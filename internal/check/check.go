// Package check assembles misend's decision path (package decide) from
// its parts: the learned model and weights behind the detector, the
// confidential-term lists and the directory, read from the database by
// Load. It holds no decision logic of its own.
package check

import (
	"context"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// Path puts d on the decision path with pol deciding verdicts and dir
// telling who is who (nil: nobody is known). The content checkers d runs
// for the header From are run again for the person who really sent a
// message (decide.Path.Content).
func Path(d *detect.Detector, pol *policy.Policy, dir Directory) *decide.Path {
	p := &decide.Path{Detector: Detector(d), Policy: pol}
	for _, c := range d.Content {
		p.Content = append(p.Content, c)
	}
	if dir != nil {
		p.People = People{dir}
	}
	return p
}

// Detector is d as the decision path's Detector: it stops at the
// decision's deadline, sees the trusted domains of the policy each
// decision takes and gives the feature vector (decide.ContextDetector).
func Detector(d *detect.Detector) decide.Detector { return detector{d} }

type detector struct{ d *detect.Detector }

// Detect implements decide.Detector.
func (x detector) Detect(msg *mail.Message, now time.Time) (float64, []finding.Finding) {
	r := x.d.Check(msg, now)
	return r.Score, r.Findings
}

// DetectContext implements decide.ContextDetector.
func (x detector) DetectContext(ctx context.Context, msg *mail.Message, now time.Time, pol *policy.Config) (decide.Detection, error) {
	var opt detect.Options
	if pol != nil {
		opt = detect.Options{Trusted: pol.Trusted, TrustedDomains: pol.TrustedDomains}
	}
	r, err := x.d.CheckContext(ctx, msg, now, opt)
	return decide.Detection{Score: r.Score, Findings: r.Findings, Features: r.Features, FeatureSet: detect.FeatureSet()}, err
}

// Directory is a directory as loaded (*directory.Directory) or in force
// while serving (*directory.Current).
type Directory interface {
	Load() *directory.Directory
}

// People answers the decision path's questions from a directory.
type People struct{ Dir Directory }

// PersonOf implements decide.People.
func (p People) PersonOf(addr string) (string, bool) {
	person, ok := p.Dir.Load().Person(addr)
	return person.Address, ok
}

// DepartmentOf implements decide.People.
func (p People) DepartmentOf(addr string) string { return p.Dir.Load().DepartmentOf(addr) }

// IsInternal implements decide.People.
func (p People) IsInternal(addr string) bool { return p.Dir.Load().IsInternal(addr) }

// Fixed is a directory that does not change, as Directory.
type Fixed struct{ *directory.Directory }

// Load implements Directory.
func (f Fixed) Load() *directory.Directory { return f.Directory }
