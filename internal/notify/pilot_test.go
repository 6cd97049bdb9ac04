package notify

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

func TestChooseDefaultLang(t *testing.T) {
	for _, tc := range []struct {
		name       string
		configured string
		domains    []string
		people     []directory.Person
		want       string
		why        string
	}{
		{"configured en wins", "en", []string{"corp.co.jp"}, []directory.Person{{Name: "山田 太郎"}}, "en", "notify.default_lang"},
		{"configured ja", "ja", nil, nil, "ja", "notify.default_lang"},
		{"people's languages", "", []string{"corp.example"}, []directory.Person{{Lang: "ja-JP"}, {Lang: "ja"}, {Lang: "en"}}, "ja", "lang ja"},
		{"Japanese names", "", []string{"corp.example"}, []directory.Person{{Name: "山田 太郎"}, {Name: "佐藤 花子"}, {Name: "John Smith"}}, "ja", "names"},
		{".jp domain", "", []string{"yamada-shokai.co.jp"}, []directory.Person{{Address: "a@yamada-shokai.co.jp"}}, "ja", ".co.jp"},
		{"nothing Japanese", "", []string{"corp.example"}, []directory.Person{{Name: "John Smith"}}, "en", "no notify.default_lang"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lang, why := ChooseDefaultLang(tc.configured, tc.domains, tc.people)
			if lang != tc.want || !strings.Contains(why, tc.why) {
				t.Errorf("ChooseDefaultLang = %q (%s), want %q (…%s…)", lang, why, tc.want, tc.why)
			}
		})
	}
}

type namedPeople struct {
	people
	names map[string]string
}

func (p namedPeople) NameOf(a string) string { return p.names[strings.ToLower(a)] }

// englishWord finds Latin-script words in a Japanese notice once links and
// addresses are taken out; the few kept are names of things (misend, JST,
// Bcc) and the sender's own subject.
var (
	englishWord = regexp.MustCompile(`[A-Za-z]{2,}`)
	linkOrAddr  = regexp.MustCompile(`https?://\S+|[\w.+-]+@[\w.-]+`)
)

func japaneseLeaks(text string) []string {
	text = strings.ReplaceAll(text, "見積書の件 Bcc: evil@x.example", "")
	var out []string
	for _, w := range englishWord.FindAllString(linkOrAddr.ReplaceAllString(text, ""), -1) {
		switch w {
		case "misend", "JST", "Bcc":
		default:
			out = append(out, w)
		}
	}
	return out
}

// Every notice a Japanese reader gets is Japanese throughout, names the
// sender as the directory does, and offers the links that act: the sender
// of held mail can still cancel it. A directory's "ja-JP" is Japanese.
func TestJapaneseNotices(t *testing.T) {
	w := waiting(policy.Hold)
	w.Findings = []finding.Finding{
		finding.Finding{Code: finding.NewRecipient, Severity: finding.Low, Recipient: "tanaka@partner-b.example"}.Say("new_recipient.team", nil),
		finding.Finding{Code: finding.BccRecommended, Severity: finding.Medium}.Say("bcc_recommended", nil).Suggest("suggest.bcc"),
	}
	out := &memOutbox{}
	n := newNotifier(t, out)
	n.DefaultLang = "ja"
	n.People = namedPeople{
		people: people{
			lang:      map[string]string{"taro@corp.example": "ja-JP"},
			approvers: map[string][]string{"営業部": {"boss@corp.example", "deputy@corp.example"}},
		},
		names: map[string]string{"taro@corp.example": "山田 太郎", "boss@corp.example": "鈴木 部長"},
	}
	ctx := context.Background()
	if err := n.Notify(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := n.DecidedOthers(ctx, w, "boss@corp.example", true, "確認済み"); err != nil {
		t.Fatal(err)
	}
	if err := n.Decided(ctx, w, false, "宛先をご確認ください"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []policy.Verdict{policy.Confirm, policy.Delay, policy.Warn} {
		if err := n.Notify(ctx, waiting(v)); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.got) != 8 {
		t.Fatalf("%d notices, want 8", len(out.got))
	}
	for i, m := range out.got {
		subj, body, _ := decoded(t, m.Raw)
		text := subj + "\n" + body
		if leaks := japaneseLeaks(text); len(leaks) > 0 {
			t.Errorf("notice %d to %s has English %q:\n%s", i, m.To[0], leaks, text)
		}
	}
	want := []struct {
		to    string
		texts []string
	}{
		{"taro@corp.example", []string{"承認されるまでは、次のリンクから送信を取り消すこともできます", "https://misend.corp.example/act/"}},
		{"boss@corp.example", []string{"山田 太郎 <taro@corp.example> からのメールが承認待ちです", "部署: 営業部", "送信者はこのアドレスに送信したことがありません"}},
		{"deputy@corp.example", []string{"承認依頼"}},
		{"deputy@corp.example", []string{"鈴木 部長 <boss@corp.example> が送信を許可しました", "コメント: 確認済み"}},
		{"taro@corp.example", []string{"差し戻された", "承認者のコメント: 宛先をご確認ください"}},
	}
	for i, w := range want {
		m := out.got[i]
		subj, body, _ := decoded(t, m.Raw)
		if m.To[0] != w.to {
			t.Errorf("notice %d to %s, want %s", i, m.To[0], w.to)
		}
		for _, s := range w.texts {
			if !strings.Contains(subj+"\n"+body, s) {
				t.Errorf("notice %d to %s lacks %q:\n%s\n%s", i, m.To[0], s, subj, body)
			}
		}
	}
	if g := linksIn(t, n.Signer, func() string { _, b, _ := decoded(t, out.got[0].Raw); return b }()); g[ActCancel].QueueID != "q-42" {
		t.Errorf("held-mail notice to the sender has no cancel link: %v", g)
	}
	if g := linksIn(t, n.Signer, func() string { _, b, _ := decoded(t, out.got[1].Raw); return b }()); g[ActRelease].QueueID != "q-42" || g[ActReject].QueueID != "q-42" {
		t.Errorf("approval request lacks its links: %v", g)
	}
}

// Approvers other than the one who decided hear of the decision; the one
// who decided and the sender do not.
func TestDecidedOthers(t *testing.T) {
	out := &memOutbox{}
	n := newNotifier(t, out)
	if err := n.DecidedOthers(context.Background(), waiting(policy.Hold), "Boss@corp.example", false, ""); err != nil {
		t.Fatal(err)
	}
	if len(out.got) != 1 || out.got[0].To[0] != "deputy@corp.example" {
		t.Fatalf("sent %+v", out.got)
	}
	subj, body, _ := decoded(t, out.got[0].Raw)
	if !strings.Contains(subj, "Already refused by Boss@corp.example") || strings.Contains(body, "/act/") {
		t.Errorf("notice:\n%s\n%s", subj, body)
	}
}

// Mail with confidential information is released only on the approvals
// page, with a comment: the request has no release link, but says where.
func TestConfidentialApprovalHasNoReleaseLink(t *testing.T) {
	out := &memOutbox{}
	n := newNotifier(t, out)
	n.People = people{lang: map[string]string{"boss@corp.example": "ja"}, approvers: map[string][]string{"営業部": {"boss@corp.example"}}}
	if err := n.Notify(context.Background(), waiting(policy.Hold)); err != nil {
		t.Fatal(err)
	}
	_, body, _ := decoded(t, out.got[1].Raw)
	links := linksIn(t, n.Signer, body)
	if _, ok := links[ActRelease]; ok || links[ActReject].QueueID != "q-42" || !strings.Contains(body, "承認画面で理由を入力してください") || !strings.Contains(body, "https://misend.corp.example/approvals") {
		t.Errorf("approval request for confidential mail:\n%s", body)
	}
}
