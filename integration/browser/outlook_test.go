package browser

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/misend/misend/internal/feedback"
)

// paneEnglish are the Outlook task pane's own English words: none may be
// left on the Japanese pane.
var paneEnglish = []string{"check", "checking", "recipient", "recipients", "remove", "replace", "save", "saved",
	"did you mean", "nothing to confirm", "all confirmed", "send now", "this recipient is right", "paste"}

// The Outlook add-in's task pane, as misend serves it at
// /addin/outlook/taskpane.html, in Chromium with a fake Office.js holding
// 佐藤's draft to the wrong 田中 (testdata/fake-office.js). The pane calls
// misend's real API: the sender pastes a personal API token into the
// pane's sign-in, the pane shows the flagged recipient with misend's
// reason and suggestion, and ticking it (Japanese) or replacing it with
// the suggestion (English) completes the checklist, at desk and phone
// width. Outlook's Send then runs the add-in's handler, which takes
// misend's stamp for the ticked recipient; misend must have recorded the
// confirmation and the replaced recipient as feedback. Screenshots go to
// artifacts/.
func TestOutlookTaskPane(t *testing.T) {
	needBrowser(t)
	r := start(t)
	fake, err := filepath.Abs("testdata/fake-office.js")
	if err != nil {
		t.Fatal(err)
	}
	r.officejs = fake
	began := time.Now()
	secret, _, err := r.auth.CreateToken(context.Background(), sato, "outlook", nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	pane := func(lang string) string { return "/addin/outlook/taskpane.html?lang=" + lang }
	flagged := "#list li:has-text('tanaka@partnr-a.example') input[type=checkbox]"
	replace := "#list li:has-text('tanaka@partnr-a.example') button:has-text('Replace with tanaka@partner-a.example')"
	ja := wordsIn("ja")
	ja["words"] = slices.Concat(ja["words"].([]string), paneEnglish)
	r.browse(
		// No token yet: the pane asks the sender to sign in, and checks the
		// draft once the token is saved.
		[]step{goTo(pane("ja-JP")), status(200), see("宛先の確認"), see("misend にサインインしていません"), shot("ja-signin"),
			fill("#token", secret), press("#save"),
			see("tanaka@partnr-a.example"), see("partnr-a.example は送信実績のある partner-a.example と1文字違いです"),
			see("もしかして tanaka@partner-a.example ？"), see("下の宛先ごとに確認するか削除してから送信してください。"),
			ja, shot("ja-checklist"),
			tick(flagged), see("すべて確認しました。送信できます。"), shot("ja-ticked")},
		// The token is remembered (Outlook's roaming settings).
		[]step{viewport(390, 844), goTo(pane("en-US")), see("Check recipients"), see("tanaka@partnr-a.example"),
			see("partnr-a.example differs by one letter from partner-a.example"),
			see("Did you mean tanaka@partner-a.example?"), see("Confirm or remove each recipient below, then send."), step{"op": "fits"}, shot("en-phone-checklist"),
			press(replace), see("Nothing to confirm: misend has no concerns about these recipients."), absent("partnr-a"), shot("en-phone-replaced"),
			// The fixed draft goes without a stamp: there is nothing to vouch for.
			step{"op": "outlookSend", "allow": true, "stamped": false}},
		[]step{viewport(1366, 768), goTo(pane("en-US")), see("Did you mean tanaka@partner-a.example?"), shot("en-checklist"),
			tick(flagged), see("All confirmed. You can send now."), shot("en-ticked")},
		[]step{viewport(390, 844), goTo(pane("ja-JP")), see("もしかして tanaka@partner-a.example ？"), ja, step{"op": "fits"}, shot("ja-phone-checklist"),
			// Send before ticking: Outlook stops it.
			step{"op": "outlookSend", "allow": false, "stamped": false},
			tick(flagged), see("すべて確認しました。送信できます。"), shot("ja-phone-ticked"),
			step{"op": "outlookSend", "allow": true, "stamped": true}},
	)

	// misend itself heard both answers from the pane: the wrong Tanaka
	// replaced (a mistake caught) and, through the stamp at Send, confirmed.
	got := map[feedback.Kind]int{}
	err = r.feedback.Each(context.Background(), began, func(e feedback.Event) error {
		if e.Recipient == "tanaka@partnr-a.example" && e.Sender == sato {
			got[e.Kind]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got[feedback.Dropped] != 1 || got[feedback.Confirmed] != 1 {
		t.Errorf("misend's feedback on tanaka@partnr-a.example: %v, want one dropped (replaced in English) and one confirmed (ticked, then sent in Japanese)", got)
	}
}
