package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/terms"
	"github.com/misend/misend/internal/web"
)

// rawWords are what the program calls things (severities, verdicts, audit
// actions, roles, scopes) and must never reach a Japanese reader as they
// are spelt in the code.
var rawWords = []string{
	"low", "medium", "high", "info",
	"pass", "warn", "confirm", "delay", "hold", "reject", "release", "shadow",
	"sign-in", "sign-out", "view-body", "dir-import",
	"sender", "approver", "operator", "auditor", "admin",
	"organization", "department", "group",
}

// rawLiterals are raw wherever they stand, Latin letters around them or not.
var rawLiterals = []string{"department:", "group:", "既定と同じ"}

// findingCode is a finding code as the program spells it (NEW_RECIPIENT).
const findingCode = `\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b`

// dottedKey is the shape of most catalogue keys; a page in either
// language that shows one shows a key whose text is missing.
var dottedKey = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$`)

// wordsIn is the check of a page's visible text in lang: in Japanese no
// raw word, no finding code and no catalogue key at all (an English key
// such as "score" is raw there too); in English no dotted key and no
// finding code.
func wordsIn(lang string) step {
	var keys []string
	for _, k := range web.CatalogueKeys() {
		if lang == "ja" || dottedKey.MatchString(k) {
			keys = append(keys, k)
		}
	}
	s := step{"op": "words", "lang": lang, "patterns": []string{findingCode}}
	if lang == "ja" {
		// Every audit action as recorded: the audit page lists them all
		// in its filter.
		s["words"] = slices.Concat(rawWords, audit.Actions, keys)
		s["literal"] = rawLiterals
	} else {
		s["words"] = keys
	}
	return s
}

// look checks the page in lang and keeps a screenshot of it at desk and
// phone width, where it must not be wider than the screen.
func look(lang, name string) []step {
	name = lang + "-" + name
	return []step{wordsIn(lang), shot(name), viewport(360, 740), wordsIn(lang), {"op": "fits"}, shot(name + "-360"), viewport(1366, 768)}
}

// visit loads path and looks at it.
func visit(lang, name, path string, code int) []step {
	return append([]step{goTo(path), status(code)}, look(lang, name)...)
}

// Every page of the web UI, for every role that uses it, in Japanese and
// in English, at 1366×768 and at 360 px: the Japanese pages show no word
// as the program spells it, no finding code and no catalogue key; the
// English ones no key either. One browser visits all of them; the
// screenshots stay in the artefact directory the test logs.
func TestEveryPageInWords(t *testing.T) {
	needBrowser(t)
	r := start(t)
	ctx := context.Background()
	as := func(addr string) held.Actor {
		a, err := r.srv.Held.ActorFor(ctx, addr, "test", "")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// What each page needs to show something: passed mail, a confirmed
	// and a cancelled message, a release and a rejection for the reports
	// and the audit log; per language one message for the sender to
	// confirm and one for the approver to release in the browser; a
	// proposed list change for the approver to decide.
	r.send(sato, []string{"tanaka@partner-a.example"}, "定例", "来週の定例会議の件です。")
	act := func(subject string, state queue.State, fn func(id string) error, to ...string) string {
		body := "はじめまして。" // a new recipient: confirm
		if state == queue.Held {
			body = "厳秘の件です。" // a confidential term: hold
		}
		it := r.waiting(r.send(sato, to, subject, body), state)
		if fn != nil {
			if err := fn(string(it.ID)); err != nil {
				t.Fatal(err)
			}
		}
		return string(it.ID)
	}
	act("確認済み", queue.Confirming, func(id string) error {
		_, err := r.srv.Held.ConfirmRecipient(ctx, id, "kimura@partner-a.example", as(sato))
		return err
	}, "kimura@partner-a.example")
	act("取消", queue.Confirming, func(id string) error { _, err := r.srv.Held.Cancel(ctx, id, as(sato)); return err }, "sasaki@partner-a.example")
	act("承認済み", queue.Held, func(id string) error { _, err := r.srv.Held.Release(ctx, id, as(boss), "NDA 締結済み"); return err }, "tanaka@partner-a.example")
	act("却下済み", queue.Held, func(id string) error { _, err := r.srv.Held.Reject(ctx, id, as(boss), "宛先違い"); return err }, "kato@partner-b.example")
	toConfirm := map[string]string{
		"ja": act("ご挨拶", queue.Confirming, nil, "tanaka@partner-a.example", "yamada@partner-a.example"),
		"en": act("はじめまして", queue.Confirming, nil, "tanaka@partner-a.example", "mori@partner-a.example"),
	}
	newcomer := map[string]string{"ja": "yamada@partner-a.example", "en": "mori@partner-a.example"}
	toRelease := map[string]string{
		"ja": act("資料送付", queue.Held, nil, "tanaka@partner-a.example"),
		"en": act("資料再送", queue.Held, nil, "suzuki@partner-a.example"),
	}
	if _, err := r.terms.Propose(ctx, nil, terms.Change{Scope: salesList, Action: terms.ActionAdd, Term: "リスク分析", Weight: 0.6, ProposedBy: ope}); err != nil {
		t.Fatal(err)
	}
	r.decided.Flush()
	// Directory files as Excel saves them on a Japanese Windows: the
	// people the rig has and one more, in Shift_JIS; and one in EUC-JP,
	// which misend refuses.
	sjisDir, eucDir := directoryFiles(t)

	signIn := func(lang, who string) []step {
		return []step{goTo("/login"), fill("#address", who), fill("#password", password),
			click("form[action='/login'] button"), status(200), {"op": "lang", "lang": lang}}
	}
	var all [][]step
	for _, lang := range []string{"ja", "en"} {
		all = append(all,
			// Before signing in: the language link, the sign-in page, a
			// failed sign-in, a page that does not exist.
			[]step{goTo("/lang?lang=" + lang + "&next=/login")}, look(lang, "signin"),
			[]step{fill("#address", sato), fill("#password", "wrong"), click("form[action='/login'] button")}, look(lang, "signin-failed"),
			visit(lang, "notfound-anonymous", "/no-such-page", 404),

			// The sender: start page, held mail, a body, the confirm flow
			// (nothing ticked, then the flagged recipient), reports, a page
			// of someone else's role, a page that does not exist.
			signIn(lang, sato), look(lang, "sender-home"),
			visit(lang, "sender-held", "/held", 200),
			visit(lang, "sender-body", "/held/"+toConfirm[lang]+"/body", 200),
			[]step{goTo("/held"), click("button[form='confirm-" + toConfirm[lang] + "']")}, look(lang, "sender-confirm-nothing-ticked"),
			[]step{tick("input[name=rcpt][value='" + newcomer[lang] + "'][form='confirm-" + toConfirm[lang] + "']"),
				click("button[form='confirm-" + toConfirm[lang] + "']"), status(200)}, look(lang, "sender-confirmed"),
			visit(lang, "sender-reports", "/reports", 200),
			visit(lang, "sender-forbidden", "/audit", 403),
			visit(lang, "sender-notfound", "/no-such-page", 404),
			logout,

			// The approver: held mail of the department, a body (audited),
			// a release without the comment it needs, a release, the list
			// change waiting for them, reports.
			signIn(lang, boss), look(lang, "approver-home"),
			visit(lang, "approver-approvals", "/approvals", 200),
			visit(lang, "approver-body", "/approvals/"+toRelease[lang]+"/body", 200),
			[]step{goTo("/approvals"), click("button[formaction='/approvals/" + toRelease[lang] + "/release']")}, look(lang, "approver-release-no-comment"),
			[]step{fill("#c-"+toRelease[lang], "先方と NDA 締結済み"), click("button[formaction='/approvals/" + toRelease[lang] + "/release']"), status(200)},
			look(lang, "approver-released"),
			visit(lang, "approver-terms", "/terms?scope=department:営業部", 200),
			visit(lang, "approver-reports", "/reports", 200),
			logout,

			// The operator: lists, recommendations, directory, policy.
			signIn(lang, ope), look(lang, "operator-home"),
			visit(lang, "operator-terms", "/terms?scope=department:営業部", 200),
			visit(lang, "operator-recommend", "/terms/recommend?scope=department:営業部", 200),
			visit(lang, "operator-directory", "/directory", 200),
			visit(lang, "operator-policy", "/policy", 200),
			visit(lang, "operator-reports", "/reports", 200),
			logout,

			// The auditor, who reads and changes nothing.
			signIn(lang, auditor), look(lang, "auditor-home"),
			visit(lang, "auditor-audit", "/audit", 200),
			visit(lang, "auditor-reports", "/reports", 200),
			visit(lang, "auditor-forbidden", "/directory", 403),
			logout,

			// The administrator and auditor: audit log, directory (with its
			// import), policy, lists, reports.
			signIn(lang, adm), look(lang, "admin-home"),
			visit(lang, "admin-audit", "/audit", 200),
			visit(lang, "admin-directory", "/directory", 200),
			[]step{upload("#csv", eucDir), click("form[action='/directory/import'] button"), status(400)}, look(lang, "admin-directory-refused"),
			[]step{upload("#csv", sjisDir), click("form[action='/directory/import'] button"), status(200), text("髙橋 一郎")}, look(lang, "admin-directory-imported"),
			visit(lang, "admin-policy", "/policy", 200),
			visit(lang, "admin-terms", "/terms", 200),
			visit(lang, "admin-reports", "/reports", 200),
			logout,
		)
	}
	r.browse(all...)
	t.Logf("screenshots of every page: %s", r.shots)
	for _, lang := range []string{"ja", "en"} {
		if it, err := r.srv.Queue.Get(queue.ID(toConfirm[lang])); err == nil && it.State == queue.Confirming {
			t.Errorf("%s: the message confirmed in the browser still waits", lang)
		}
	}
	if !strings.HasPrefix(r.shots, "/") {
		t.Errorf("artefact directory %q is not absolute", r.shots)
	}
	dir, err := directory.Load(ctx, r.db)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := dir.Person("takahashi@corp.example"); !ok || p.Name != "髙橋 一郎" || p.Department != "営業部" {
		t.Errorf("the Shift_JIS directory imported %+v", p)
	}
}

// directoryFiles writes the rig's people and 髙橋 (a CP932 extension
// character) as a Shift_JIS directory file, and the same in EUC-JP.
func directoryFiles(t *testing.T) (sjis, euc string) {
	var b strings.Builder
	b.WriteString("address,name,department,groups,roles\r\n")
	for _, p := range append(slices.Clone(people), directory.Person{Address: "takahashi@corp.example", Name: "髙橋 一郎", Department: "営業部", Roles: []directory.Role{directory.RoleSender}}) {
		var roles []string
		for _, r := range p.Roles {
			roles = append(roles, string(r))
		}
		fmt.Fprintf(&b, "%s,%s,%s,,%s\r\n", p.Address, p.Name, p.Department, strings.Join(roles, ";"))
	}
	dir := t.TempDir()
	for _, f := range []struct {
		path *string
		name string
		enc  encoding.Encoding
	}{{&sjis, "people-sjis.csv", japanese.ShiftJIS}, {&euc, "people-eucjp.csv", japanese.EUCJP}} {
		data, err := f.enc.NewEncoder().String(b.String())
		if err != nil {
			t.Fatal(err)
		}
		*f.path = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return sjis, euc
}
