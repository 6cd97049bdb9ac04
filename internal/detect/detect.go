// Package detect looks at one outgoing message in the light of the sender's
// learned history and returns findings, then a score in [0,1].
package detect

import (
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
)

// ContentChecker adds findings from what a message says (confidential terms,
// personal data). Implemented outside this package.
type ContentChecker interface {
	CheckContent(msg *mail.Message) []finding.Finding
}

// Detector checks messages against a model.
type Detector struct {
	Model   *model.Model
	Content []ContentChecker
	Weights *Weights // nil means the built-in default weights
}

// Result is what Check found.
type Result struct {
	Findings []finding.Finding
	Features Features
	Score    float64
}

// Check scores msg as if it were being sent at now. It does not learn from it.
func (d *Detector) Check(msg *mail.Message, now time.Time) Result {
	panic("detect.Check: not implemented")
}
