package decide

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/stamp"
)

// TestConfirmationStamps: a valid stamp answers the recipient questions
// the sender already answered in the add-in, and nothing more; a stamp
// that does not verify changes nothing but is reported.
func TestConfirmationStamps(t *testing.T) {
	keys, err := stamp.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	pol, err := policy.New(policy.Config{
		Default: policy.Rules{
			Bands: map[policy.Verdict]float64{policy.Confirm: 0.5},
			Codes: map[finding.Code]policy.Verdict{finding.ConfidentialTerms: policy.Hold, finding.EncryptedAttachment: policy.Warn},
		},
		Departments: map[string]policy.Rules{"人事部": {Shadow: new(true), Bands: map[policy.Verdict]float64{policy.Confirm: 0.5}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := people{"taro@corp.example": {"taro@corp.example", "営業部"}, "t.yamada@corp.example": {"taro@corp.example", "営業部"},
		"jiro@corp.example": {"jiro@corp.example", "営業部"}, "hana@corp.example": {"hana@corp.example", "人事部"}}
	sign := func(sender string, rcpts ...string) string {
		v, err := keys.Sign(stamp.Claim{Sender: sender, DraftID: "draft-1", Issued: now.Add(-time.Minute), Expires: now.Add(time.Hour), Recipients: rcpts})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tanaka := sign("taro@corp.example", "tanaka@partner-b.example")
	similar := finding.Finding{Code: finding.SimilarContact, Severity: finding.High, Recipient: "tanaka@partner-b.example"}
	newDomain := finding.Finding{Code: finding.NewDomain, Severity: finding.Medium, Recipient: "tanaka@partner-b.example"}
	other := finding.Finding{Code: finding.NewDomain, Severity: finding.Medium, Recipient: "yamada@partner-d.example"}
	secret := finding.Finding{Code: finding.ConfidentialTerms, Severity: finding.High, Recipient: "tanaka@partner-b.example", Scope: "department:営業部"}
	ppap := finding.Finding{Code: finding.EncryptedAttachment, Severity: finding.Medium, Recipient: "tanaka@partner-b.example"}
	// Two companies never mailed together, named after the other one.
	pair := finding.Finding{Code: finding.CrossCompany, Severity: finding.Medium, Recipient: "yamada@partner-d.example",
		Args: finding.Args{"domain": "partner-d.example", "other": "partner-b.example"}}
	unrelatedPair := finding.Finding{Code: finding.CrossCompany, Severity: finding.Medium, Recipient: "yamada@partner-d.example",
		Args: finding.Args{"domain": "partner-d.example", "other": "partner-e.example"}}

	tests := []struct {
		name     string
		from     string
		stamps   []string
		at       time.Time
		findings []finding.Finding
		verdict  policy.Verdict
		decided  policy.Verdict
		left     []finding.Code // codes of the findings in the result
		checks   []string
	}{
		{name: "without a stamp the sender is asked", findings: []finding.Finding{similar, newDomain},
			verdict: policy.Confirm, left: []finding.Code{finding.SimilarContact, finding.NewDomain}},
		{name: "a valid stamp: not asked again", stamps: []string{tanaka}, findings: []finding.Finding{similar, newDomain},
			verdict: policy.Pass, left: []finding.Code{finding.ConfirmedInAddin}, checks: []string{"valid"}},
		{name: "sent from the sender's alias", from: "t.yamada@corp.example", stamps: []string{tanaka}, findings: []finding.Finding{similar},
			verdict: policy.Pass, left: []finding.Code{finding.ConfirmedInAddin}, checks: []string{"valid"}},
		{name: "another recipient is still asked about", stamps: []string{tanaka}, findings: []finding.Finding{similar, other},
			verdict: policy.Confirm, left: []finding.Code{finding.NewDomain, finding.ConfirmedInAddin}, checks: []string{"valid"}},
		{name: "confidential terms going outside are held all the same", stamps: []string{tanaka}, findings: []finding.Finding{similar, secret},
			verdict: policy.Hold, left: []finding.Code{finding.SimilarContact, finding.ConfidentialTerms, finding.ConfirmedInAddin}, checks: []string{"valid"}},
		{name: "a code minimum still applies", stamps: []string{tanaka}, findings: []finding.Finding{similar, ppap},
			verdict: policy.Warn, left: []finding.Code{finding.EncryptedAttachment, finding.ConfirmedInAddin}, checks: []string{"valid"}},
		{name: "a pair of companies answered by confirming either", stamps: []string{tanaka}, findings: []finding.Finding{pair},
			verdict: policy.Pass, left: []finding.Code{finding.ConfirmedInAddin}, checks: []string{"valid"}},
		{name: "a pair the confirmed recipient is not in", stamps: []string{tanaka}, findings: []finding.Finding{unrelatedPair},
			verdict: policy.Confirm, left: []finding.Code{finding.CrossCompany, finding.ConfirmedInAddin}, checks: []string{"valid"}},
		{name: "shadow mode records the lowered verdict", from: "hana@corp.example", stamps: []string{sign("hana@corp.example", "tanaka@partner-b.example")},
			findings: []finding.Finding{similar}, verdict: policy.Pass, decided: policy.Pass, left: []finding.Code{finding.ConfirmedInAddin}, checks: []string{"valid"}},
		{name: "an altered stamp is ignored and reported", stamps: []string{strings.Replace(tanaka, "r=", "r=AAAAAAAA", 1)}, findings: []finding.Finding{similar},
			verdict: policy.Confirm, left: []finding.Code{finding.SimilarContact, finding.StampInvalid}, checks: []string{"forged"}},
		{name: "an expired stamp is ignored", stamps: []string{tanaka}, at: now.Add(2 * time.Hour), findings: []finding.Finding{similar},
			verdict: policy.Confirm, left: []finding.Code{finding.SimilarContact, finding.StampInvalid}, checks: []string{"expired"}},
		{name: "another sender's stamp is ignored", from: "jiro@corp.example", stamps: []string{tanaka}, findings: []finding.Finding{similar},
			verdict: policy.Confirm, left: []finding.Code{finding.SimilarContact, finding.StampInvalid}, checks: []string{"sender"}},
		{name: "a stamp for a recipient who is not on the message", stamps: []string{sign("taro@corp.example", "someone@else.example")}, findings: []finding.Finding{similar},
			verdict: policy.Confirm, left: []finding.Code{finding.SimilarContact}, checks: []string{"valid"}},
		{name: "one good stamp among bad ones", stamps: []string{"v=1; junk", tanaka}, findings: []finding.Finding{similar},
			verdict: policy.Pass, left: []finding.Code{finding.StampInvalid, finding.ConfirmedInAddin}, checks: []string{"malformed", "valid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := cmpOr(tt.from, "taro@corp.example")
			raw := "From: " + from + "\r\nTo: tanaka@partner-b.example, yamada@partner-d.example\r\nSubject: 見積\r\n" +
				"Date: " + now.Format(time.RFC1123Z) + "\r\nMessage-ID: <m1@corp.example>\r\n\r\nbody\r\n"
			score := 0.7
			p := &Path{Policy: pol, People: dir, Stamps: keys,
				Detector: DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) {
					return score, slices.Clone(tt.findings)
				})}
			at := now
			if !tt.at.IsZero() {
				at = tt.at
			}
			res := p.Decide(context.Background(), Envelope{From: from, Stamps: tt.stamps, At: at}, []byte(raw))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var codes []finding.Code
			for _, f := range res.Findings {
				codes = append(codes, f.Code)
			}
			decided := tt.decided
			if decided == "" {
				decided = tt.verdict
			}
			if tt.decided != "" {
				// Shadow: the message passes whatever was decided.
				decided, tt.verdict = tt.decided, policy.Pass
			}
			if res.Decision.Verdict != tt.verdict || res.Decision.Decided != decided || !slices.Equal(codes, tt.left) || !slices.Equal(res.Stamps, tt.checks) {
				t.Errorf("verdict %s (decided %s, rule %s), findings %v, stamps %v; want %s, %v, %v",
					res.Decision.Verdict, res.Decision.Decided, res.Decision.Rule, codes, res.Stamps, tt.verdict, tt.left, tt.checks)
			}
		})
	}

	// Without keys a stamp is not even looked at.
	p := &Path{Policy: pol, People: dir, Detector: DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) {
		return 0.7, []finding.Finding{similar}
	})}
	res := p.Decide(context.Background(), Envelope{From: "taro@corp.example", Stamps: []string{tanaka}, At: now},
		[]byte("From: taro@corp.example\r\nTo: tanaka@partner-b.example\r\nDate: "+now.Format(time.RFC1123Z)+"\r\n\r\nx\r\n"))
	if res.Decision.Verdict != policy.Confirm || res.Stamps != nil {
		t.Errorf("without keys: %s, %v", res.Decision.Verdict, res.Stamps)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
