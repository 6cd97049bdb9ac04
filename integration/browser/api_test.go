package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/reports"
)

// The add-in's path against misend as served: a draft checked over the
// API is flagged; the same message sent over SMTP waits for its sender,
// who confirms through the API; it reaches the upstream; the next draft to
// that recipient passes; the report counts the message once, as a false
// alarm. No browser needed.
func TestAddInPath(t *testing.T) {
	if testing.Short() {
		t.Skip("starts misend; skipped with -short")
	}
	r := start(t)
	ctx := context.Background()
	token := func(who string) string {
		secret, _, err := r.auth.CreateToken(ctx, who, "add-in", nil, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	satoTok, bossTok := token(sato), token(boss)
	call := func(tok, method, path string, body any, out any) int {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, r.base+path, rd)
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
			}
		}
		return resp.StatusCode
	}
	newcomer := "yamada@partner-a.example"
	msgID := "draft-1@corp.example"
	draft := map[string]any{"message_id": msgID, "to": []string{"tanaka@partner-a.example", newcomer}, "subject": "ご紹介", "body": "はじめまして。"}
	var out decide.Outcome
	if code := call(satoTok, "POST", "/api/v1/check", draft, &out); code != 200 || out.Verdict != "confirm" {
		t.Fatalf("draft check: %d %+v", code, out)
	}
	flagged := slices.ContainsFunc(out.Findings, func(f finding.Finding) bool { return f.Recipient == newcomer })
	if !flagged {
		t.Fatalf("no finding names %s: %+v", newcomer, out.Findings)
	}

	r.sendID(msgID, sato, []string{"tanaka@partner-a.example", newcomer}, "ご紹介", "はじめまして。")
	it := r.waiting(msgID, queue.Confirming)
	var list struct{ Items []held.Item }
	if code := call(satoTok, "GET", "/api/v1/held", nil, &list); code != 200 || len(list.Items) != 1 || list.Items[0].ID != string(it.ID) {
		t.Fatalf("held list: %d %+v", code, list)
	}
	var after held.Item
	if code := call(satoTok, "POST", "/api/v1/held/"+string(it.ID)+"/confirm", map[string]any{"recipient": newcomer}, &after); code != 200 || after.State != queue.Queued {
		t.Fatalf("confirm: %d %+v", code, after)
	}
	r.delivered(msgID)

	draft["message_id"] = "draft-2@corp.example"
	if code := call(satoTok, "POST", "/api/v1/check", draft, &out); code != 200 || out.Verdict != "pass" {
		t.Errorf("after confirming, a draft to the same people: %d %+v", code, out)
	}

	var rep reports.Report
	day := time.Now().UTC().Truncate(24 * time.Hour)
	q := "/api/v1/reports?since=" + day.Format(time.RFC3339) + "&until=" + day.Add(48*time.Hour).Format(time.RFC3339)
	if code := call(bossTok, "GET", q, nil, &rep); code != 200 {
		t.Fatalf("report: %d", code)
	}
	// Three decisions on two messages: draft-1 checked then sent (counted
	// once, as the gateway decided it), draft-2 checked.
	if rep.Total.Decisions != 2 || rep.Total.Flagged != 1 || rep.Total.FalseAlarms != 1 || rep.Total.FalseAlarmRate != 1 {
		t.Errorf("report total %+v", rep.Total)
	}
	if code := call(satoTok, "GET", q, nil, nil); code != http.StatusForbidden {
		t.Errorf("a sender reading reports: %d", code)
	}
}
