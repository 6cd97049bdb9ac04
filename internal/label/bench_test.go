package label

import (
	"testing"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// What labels cost a message that has none: every message pays it.
func BenchmarkFindingsUnlabelled(b *testing.B) {
	msg := &mail.Message{Subject: "Re: 来週の打ち合わせ日程のご相談（営業部）", To: []mail.Address{{Addr: "tanaka@partner.example"}}}
	pol := &policy.Policy{}
	rcpts := recipients{}
	b.ReportAllocs()
	for b.Loop() {
		if fs := Findings(msg, pol.Current(), "営業部", rcpts); len(fs) != 0 {
			b.Fatal(fs)
		}
	}
}
