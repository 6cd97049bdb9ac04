package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
)

// The Thunderbird add-in's checklist window, as misend serves it at
// /addin/thunderbird/popup.html, over misend's own answer on the wrong
// Tanaka's draft: in Japanese the sender ticks the flagged recipient and
// sends; in English they change it to the suggestion. Screenshots of each
// step in both languages go to artifacts/.
func TestThunderbirdChecklist(t *testing.T) {
	needBrowser(t)
	r := start(t)
	secret, _, err := r.auth.CreateToken(context.Background(), sato, "thunderbird", nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string][]string{"to": {"田中 太郎 <tanaka@partnr-a.example>"}, "cc": {"上田 花子 <ueda@corp.example>"}, "bcc": {}}
	// check asks misend about the draft, as the add-in's background script
	// does, and returns the checklist page's address for its answer.
	check := func(lang string) string {
		body, _ := json.Marshal(map[string]any{"from": sato, "to": fields["to"], "cc": fields["cc"], "subject": "お見積もりの件",
			"body": "A社 田中様\n\nお見積もりをお送りします。"})
		req, _ := http.NewRequest("POST", r.base+"/api/v1/check?lang="+lang, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out decide.Outcome
		if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("check: %d %s", resp.StatusCode, raw)
		}
		if out.Verdict != "confirm" && out.Verdict != "hold" {
			t.Fatalf("the wrong Tanaka: %s %+v", out.Verdict, out.Findings)
		}
		frag, _ := json.Marshal(map[string]any{"lang": lang, "fields": fields, "outcome": json.RawMessage(raw), "inside": []string{"corp.example"}})
		// A query of its own per language: a new fragment alone would not load the page again.
		return "/addin/thunderbird/popup.html?preview=" + lang + "#" + url.PathEscape(string(frag))
	}
	flagged := "input[data-key='tanaka@partnr-a.example']"
	r.browse(
		[]step{goTo(check("ja")), status(200), text("送信前の確認"), text("tanaka@partnr-a.example"), text("社外"),
			text("もしかして: tanaka@partner-a.example"), text("あと 1 件の確認が必要です。"), shot("ja-checklist"),
			tick(flagged), text("すべて確認しました。送信できます。"), shot("ja-ticked"),
			press("#send"), text("Thunderbird は次の 2 件の宛先に送信します。"), text("tanaka@partnr-a.example"), shot("ja-sent")},
		[]step{viewport(640, 720), goTo(check("en")), text("Check before sending"), text("Outside"), text("Did you mean tanaka@partner-a.example?"),
			text("1 left to check."), shot("en-checklist"),
			press("button[data-replace='tanaka@partnr-a.example']"), text("Will be sent to tanaka@partner-a.example instead"), text("All checked. You can send."), shot("en-replaced"),
			press("#send"), text("Thunderbird sends the message to these 2 recipients."), absent("partnr-a"), text("tanaka@partner-a.example"), shot("en-sent")},
		[]step{goTo(check("ja")), press("#cancel"), text("キャンセルしました。メールは送信されていません。")},
	)
}
