package detect

import (
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/model"
)

func TestQuotedPeople(t *testing.T) {
	text := "Jeff,\n\nsee below.\n\n -----Original Message-----\nFrom: \tSteffes, James  \nSent:\tTuesday, May 15, 2001 2:14 PM\n" +
		"To:\tCantrell, Rebecca\nCc:\tNicolay, Christi; Allen, Phillip K.; \"Tony Roberts\" <troberts@dyalroberts.com>@ENRON\n" +
		"Subject:\tFERC\n\n> 差出人: 田中 太郎 [mailto:tanaka@partner-a.co.jp]\n> 宛先: 鈴木\n" +
		"---------------------- Forwarded by Sara Shackleton/HOU/ECT on 05/01/2001 ----\nTo: Mark Taylor/HOU/ECT@ECT\n"
	q := quotedPeople(text)
	tests := []struct {
		addr  string
		names []string
		want  bool
	}{
		{"phillip.allen@enron.com", []string{"phillip", "allen"}, true},
		{"james.steffes@enron.com", []string{"james", "steffes"}, true},
		{"troberts@dyalroberts.com", nil, true},
		{"tanaka@partner-a.co.jp", nil, true},
		{"suzuki@partner-a.co.jp", []string{"鈴木"}, true},
		{"mark.taylor@enron.com", []string{"mark", "taylor"}, true},
		{"phillip.jones@enron.com", []string{"phillip", "jones"}, false}, // a first name alone is not a person
		{"jeff.dasovich@enron.com", []string{"jeff", "dasovich"}, false}, // greeted, not quoted
		{"sara.shackleton@enron.com", []string{"sara", "shackleton"}, false},
	}
	for _, tt := range tests {
		if got := q.has(tt.addr, tt.names); got != tt.want {
			t.Errorf("has(%s, %v) = %v, want %v", tt.addr, tt.names, got, tt.want)
		}
	}
	// The author is the first quoted From: Steffes wrote what the text
	// answers; Tanaka, quoted further down, and Cantrell, to whom
	// Steffes wrote, are not its author.
	if q.author == nil {
		t.Fatal("no author")
	}
	for _, tt := range []struct {
		addr  string
		names []string
		want  bool
	}{
		{"james.steffes@enron.com", []string{"james", "steffes"}, true},
		{"rebecca.cantrell@enron.com", []string{"rebecca", "cantrell"}, false},
		{"tanaka@partner-a.co.jp", nil, false},
	} {
		if got := q.author.has(tt.addr, tt.names); got != tt.want {
			t.Errorf("author.has(%s, %v) = %v, want %v", tt.addr, tt.names, got, tt.want)
		}
	}
	if q := quotedPeople("hi\n> 差出人: 田中 太郎 [mailto:tanaka@partner-a.co.jp]\n> From: Bob <bob@b.example>\n"); q.author == nil ||
		!q.author.has("tanaka@partner-a.co.jp", nil) || q.author.has("bob@b.example", nil) {
		t.Errorf("author of a Japanese quote: %+v", q.author)
	}
	if q := quotedPeople("To: all staff\nplease read"); !q.empty() {
		t.Errorf("a first line names %v", q.names)
	}
}

// TestReplyAuthorGone: a reply that leaves out the author of the message
// it quotes is told; one back to the author, to the sender's own quoted
// message, or a forward is not.
func TestReplyAuthorGone(t *testing.T) {
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	m.Learn(newMsg("h1", "Kato Yumi <kato.yumi@corp.example>", me).at(t0.Add(-48 * time.Hour)).m)
	m.Learn(newMsg("h2", me, "Ito Jun <ito.jun@corp.example>").at(t0.Add(-24 * time.Hour)).m)
	d := &Detector{Model: m}
	quote := func(author string) string {
		return "thanks, will do\n\n-----Original Message-----\nFrom: " + author + "\nSent: Monday\nTo: Sato, Ichiro\nSubject: plan\n\nplease check\n"
	}
	tests := []struct {
		name    string
		subject string
		author  string
		to      string
		want    float64
	}{
		{"back to the author", "RE: plan", "Kato, Yumi", "kato.yumi@corp.example", 0},
		{"to someone else", "RE: plan", "Kato, Yumi", "ito.jun@corp.example", 1},
		{"the author by address", "RE: plan", "<kato.yumi@corp.example>", "kato.yumi@corp.example", 0},
		{"the sender's own message", "RE: plan", "Sato, Ichiro", "ito.jun@corp.example", 0},
		{"a forward", "FW: plan", "Kato, Yumi", "ito.jun@corp.example", 0},
		{"no reply marker", "plan", "Kato, Yumi", "ito.jun@corp.example", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := newMsg("x", "Sato Ichiro <"+me+">", tt.to).text(quote(tt.author)).m
			msg.Subject = tt.subject
			res := d.Check(msg, t0)
			if got := res.Features[fReplyAuthorGone]; got != tt.want {
				t.Errorf("reply_author_missing = %v, want %v", got, tt.want)
			}
			var said []finding.Finding
			for _, f := range res.Findings {
				if f.Code == finding.ReplyAuthorMissing {
					said = append(said, f)
				}
			}
			if tt.want == 0 && len(said) > 0 || tt.want == 1 && (len(said) != 1 || said[0].Recipient != tt.to ||
				!strings.Contains(said[0].Message, tt.author) || !strings.Contains(finding.Localize(said[0], "ja").Message, "返信元のメールの差出人")) {
				t.Errorf("findings %+v", said)
			}
		})
	}
}
