package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkCheck is one draft checked through the handler: authentication,
// JSON decoding, composing and parsing the message, detection with a
// confidential list, policy, recording the decision, the JSON answer.
func BenchmarkCheck(b *testing.B) {
	e := newEnv(b)
	h := e.srv.Config.Handler
	body, _ := json.Marshal(Draft{To: []string{"田中 <tanaka@partner-a.example>", "suzuki@partner-b.example"},
		Subject: "お見積もりの件", Body: string(bytes.Repeat([]byte("いつもお世話になっております。お見積もりをお送りします。\n"), 30)),
		Attachments: []string{"見積書.pdf"}})
	tok := "Bearer " + e.tokens["sato@corp.example"]
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/v1/check", bytes.NewReader(body))
		req.Header.Set("Authorization", tok)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
