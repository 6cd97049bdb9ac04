// Package check is the one decision path shared by `misend check`, the SMTP
// gateway, the milter and the HTTP check API: parse → detect → policy →
// Outcome, whose JSON form is the public `check --json` schema.
package check

import (
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// Outcome is the decision on one message, in the `check --json` schema.
type Outcome struct {
	File      string            `json:"file,omitempty"`
	MessageID string            `json:"message_id"`
	Sender    string            `json:"sender"`
	Verdict   policy.Verdict    `json:"verdict"`
	Score     float64           `json:"score"`
	Findings  []finding.Finding `json:"findings"`
}

// Departments tells which department a sender belongs to.
type Departments interface {
	DepartmentOf(addr string) string
}

// Service decides on messages.
type Service struct {
	Detector    *detect.Detector
	Policy      *policy.Policy
	Departments Departments // may be nil
}

// Check decides on msg as if sent at now. Findings keep operator-only fields;
// callers facing a sender must pass them through finding.SenderView.
func (s *Service) Check(msg *mail.Message, now time.Time) Outcome {
	res := s.Detector.Check(msg, now)
	dept := ""
	if s.Departments != nil {
		dept = s.Departments.DepartmentOf(msg.From.Addr)
	}
	fs := res.Findings
	if fs == nil {
		fs = []finding.Finding{}
	}
	return Outcome{
		MessageID: msg.MessageID,
		Sender:    msg.From.Addr,
		Verdict:   s.Policy.Decide(dept, res.Score, fs),
		Score:     res.Score,
		Findings:  fs,
	}
}
