// Package model keeps what misend learns about each sender: whom they mail,
// who mails them, which recipients appear together, which domains they and
// their department know, in which threads, at which hours and volumes.
//
// Counters are updated one message at a time (Learn) and decay with age, so
// the model is always current without a batch retraining step. It stores no
// bodies and no subjects: only addresses, display names, counts and times.
// It deliberately does not judge messages; package detect does that.
package model

import (
	"time"

	"github.com/misend/misend/internal/mail"
)

// DepartmentFunc maps an address to its department ("" if unknown).
type DepartmentFunc func(addr string) string

// Config sets up a Model.
type Config struct {
	OrgDomains []string      // the organisation's own domains
	HalfLife   time.Duration // age at which a count weighs half; 0 means 180 days
	Department DepartmentFunc
}

// Model is the learned per-sender statistics. Safe for concurrent use.
type Model struct {
	cfg Config
}

// New returns an empty model.
func New(cfg Config) *Model { return &Model{cfg: cfg} }

// Learn adds one message to the model, sent or received. It returns false,
// changing nothing, when the message was learned before (same Message-ID, or
// the same sender, date, subject and recipients when it has none).
func (m *Model) Learn(msg *mail.Message) bool { panic("model.Learn: not implemented") }
