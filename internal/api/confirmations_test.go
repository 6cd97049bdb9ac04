package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/stamp"
)

// One judgement, asked once: a draft the sender confirmed in the add-in
// gets a stamp from the API, and the same decision path the gateway
// decides through lets the stamped message pass instead of asking again.
// An altered stamp, or one replayed by another sender, changes nothing.
func TestConfirmationStampThroughTheDecisionPath(t *testing.T) {
	e := newEnv(t)
	// Feedback teaches the model the confirmed recipient, which would
	// let the message pass on its own; without it, what passes it is the
	// stamp alone.
	o := e.opts
	o.Feedback = nil
	srv := httptest.NewServer(New(o))
	defer srv.Close()
	e.srv, srv = srv, e.srv

	rcpt := "x@gmail.com"
	to := []string{"tanaka@partner-a.example", "suzuki@partner-a.example"}
	draft := Draft{To: to, Cc: []string{rcpt}, Subject: "お見積もり", Body: "いつもお世話になっております。"}
	var out decide.Outcome
	a := e.call("sato@corp.example", "POST", "/api/v1/check", draft)
	a.json(t, &out)
	if out.Verdict == policy.Pass {
		t.Fatalf("a personal address never mailed was not flagged: %s", a.body)
	}
	flagged := out.Verdict

	var c Confirmation
	a = e.call("sato@corp.example", "POST", "/api/v1/confirmations", ConfirmationReq{DraftID: "d-1@outlook.misend.invalid", Recipients: []string{rcpt}})
	if a.status != http.StatusCreated {
		t.Fatalf("stamp: %d %s", a.status, a.body)
	}
	a.json(t, &c)
	if c.Header != stamp.Header || !c.Expires.Equal(e.now.Add(stamp.DefaultTTL)) || strings.Contains(c.Value, rcpt) {
		t.Errorf("stamp %+v: want %s, an hour, no address in the value", c, stamp.Header)
	}

	message := func(from, value string) []byte {
		return []byte(c.Header + ": " + value + "\r\nFrom: " + from + "\r\nTo: " + strings.Join(to, ", ") + "\r\nCc: " + rcpt +
			"\r\nSubject: =?utf-8?b?44GK6KaL56mN44KC44KK?=\r\nDate: " + e.now.Add(time.Minute).Format(time.RFC1123Z) +
			"\r\nMessage-ID: <sent-1@corp.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nいつもお世話になっております。\r\n")
	}
	tests := []struct {
		name, from, value string
		want              policy.Verdict
		outcome           string
	}{
		{"as confirmed", "sato@corp.example", c.Value, policy.Pass, "valid"},
		{"recipients altered", "sato@corp.example", strings.Replace(c.Value, "r=", "r=AAAAAAAA", 1), flagged, "forged"},
		{"a stamp from before the message was written", "sato@corp.example", c.Value, flagged, "date"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := message(tt.from, tt.value)
			if i == 2 {
				raw = []byte(strings.Replace(string(raw), e.now.Add(time.Minute).Format(time.RFC1123Z), e.now.Add(-time.Hour).Format(time.RFC1123Z), 1))
			}
			res := e.svc.Decide(context.Background(), decide.Envelope{From: tt.from, To: append(slices.Clone(to), rcpt), At: e.now.Add(2 * time.Minute),
				Stamps: stamp.Values(raw)}, raw)
			if res.Decision.Verdict != tt.want || len(res.Stamps) != 1 || res.Stamps[0] != tt.outcome {
				t.Errorf("verdict %s, stamps %v; want %s, %s (%+v)", res.Decision.Verdict, res.Stamps, tt.want, tt.outcome, res.Findings)
			}
			if tt.outcome != "valid" {
				for _, f := range finding.SenderView(res.Findings) {
					if f.Code == finding.StampInvalid {
						t.Errorf("the sender view tells why a stamp failed")
					}
				}
			}
		})
	}

	// With feedback, the confirmation is recorded as on the web confirm
	// page: the model learns the recipient.
	e.srv = srv
	if a := e.call("sato@corp.example", "POST", "/api/v1/confirmations", ConfirmationReq{DraftID: "d-1@outlook.misend.invalid", Recipients: []string{rcpt}}); a.status != http.StatusCreated {
		t.Fatalf("stamp: %d %s", a.status, a.body)
	}
	var got []feedback.Event
	e.fb.Each(t.Context(), time.Time{}, func(ev feedback.Event) error { got = append(got, ev); return nil })
	if len(got) != 1 || got[0].Kind != feedback.Confirmed || got[0].Recipient != rcpt || got[0].Sender != "sato@corp.example" || got[0].MessageID != "d-1@outlook.misend.invalid" {
		t.Errorf("feedback %+v", got)
	}
}

// Drafts are checked, and stamps issued, for the signed-in person's own
// addresses and aliases only.
func TestOwnAddressesOnly(t *testing.T) {
	e := newEnv(t)
	draft := func(from string) Draft {
		return Draft{From: from, To: []string{"tanaka@partner-a.example"}, Subject: "s", Body: "b"}
	}
	stampReq := func(from string) ConfirmationReq {
		return ConfirmationReq{From: from, DraftID: "d2@x", Recipients: []string{"tanaka@partner-a.example"}}
	}
	tests := []struct {
		name, who, path string
		body            any
		want            int
	}{
		{"own address", "boss@corp.example", "/api/v1/check", draft("boss@corp.example"), http.StatusOK},
		{"own alias", "boss@corp.example", "/api/v1/check", draft("部長 <Eigyo-Bucho@corp.example>"), http.StatusOK},
		{"another person's alias", "sato@corp.example", "/api/v1/check", draft("eigyo-bucho@corp.example"), http.StatusForbidden},
		{"a shared mailbox nobody owns", "sato@corp.example", "/api/v1/check", draft("info@corp.example"), http.StatusForbidden},
		{"an operator on someone's behalf", "ope@corp.example", "/api/v1/check", draft("sato@corp.example"), http.StatusOK},
		{"stamp for own alias", "boss@corp.example", "/api/v1/confirmations", stampReq("eigyo-bucho@corp.example"), http.StatusCreated},
		{"stamp for another's address", "sato@corp.example", "/api/v1/confirmations", stampReq("boss@corp.example"), http.StatusForbidden},
		{"no stamp for an operator on someone's behalf", "ope@corp.example", "/api/v1/confirmations", stampReq("sato@corp.example"), http.StatusForbidden},
		{"stamp without an id", "sato@corp.example", "/api/v1/confirmations", ConfirmationReq{Recipients: []string{"a@b.example"}}, http.StatusBadRequest},
		{"stamp without recipients", "sato@corp.example", "/api/v1/confirmations", ConfirmationReq{DraftID: "d"}, http.StatusBadRequest},
		{"stamp for a header-breaking id", "sato@corp.example", "/api/v1/confirmations", ConfirmationReq{DraftID: "d\r\nBcc: x@y", Recipients: []string{"a@b.example"}}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.call(tt.who, "POST", tt.path, tt.body)
			if a.status != tt.want {
				t.Fatalf("%d %s, want %d", a.status, a.body, tt.want)
			}
			if tt.want == http.StatusForbidden && tt.path == "/api/v1/check" && !strings.Contains(string(a.body), "is not an address of yours") {
				t.Errorf("403 without saying why: %s", a.body)
			}
		})
	}
	// The alias's draft is decided as the person's, as at the gateway.
	var out decide.Outcome
	e.call("boss@corp.example", "POST", "/api/v1/check", draft("eigyo-bucho@corp.example")).json(t, &out)
	if out.Sender != "boss@corp.example" {
		t.Errorf("sender %q, want the person", out.Sender)
	}
}

// Cross-origin calls: only the configured origins, each named, never a
// wildcard or credentials; preflights answered without a token.
func TestCORS(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, method, path, origin, reqMethod string
		token                                 bool
		status                                int
		allow                                 string // Access-Control-Allow-Origin wanted
	}{
		{"preflight from the public origin", "OPTIONS", "/api/v1/check", "https://misend.corp.example", "POST", false, http.StatusNoContent, "https://misend.corp.example"},
		{"preflight from Outlook on the web", "OPTIONS", "/api/v1/confirmations", "https://outlook.office.com", "POST", false, http.StatusNoContent, "https://outlook.office.com"},
		{"preflight for a held item", "OPTIONS", "/api/v1/held/abc/confirm", "https://misend.corp.example", "POST", false, http.StatusNoContent, "https://misend.corp.example"},
		{"preflight from elsewhere", "OPTIONS", "/api/v1/check", "https://evil.example", "POST", false, http.StatusForbidden, ""},
		{"preflight from an opaque origin", "OPTIONS", "/api/v1/check", "null", "POST", false, http.StatusForbidden, ""},
		{"preflight from a look-alike", "OPTIONS", "/api/v1/check", "https://misend.corp.example.evil.example", "POST", false, http.StatusForbidden, ""},
		{"preflight for a method not served", "OPTIONS", "/api/v1/check", "https://misend.corp.example", "DELETE", false, http.StatusMethodNotAllowed, "https://misend.corp.example"},
		{"preflight for no route", "OPTIONS", "/api/v1/nothing", "https://misend.corp.example", "GET", false, http.StatusNotFound, "https://misend.corp.example"},
		{"a call from the public origin", "GET", "/api/v1/me", "https://misend.corp.example", "", true, http.StatusOK, "https://misend.corp.example"},
		{"a call from elsewhere gets no grant", "GET", "/api/v1/me", "https://evil.example", "", true, http.StatusOK, ""},
		{"a call without an Origin", "GET", "/api/v1/me", "", "", true, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, e.srv.URL+tt.path, nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.reqMethod != "" {
				req.Header.Set("Access-Control-Request-Method", tt.reqMethod)
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			if tt.token {
				req.Header.Set("Authorization", "Bearer "+e.tokens["sato@corp.example"])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != tt.status || h.Get("Access-Control-Allow-Origin") != tt.allow {
				t.Fatalf("%d, allow-origin %q; want %d, %q", resp.StatusCode, h.Get("Access-Control-Allow-Origin"), tt.status, tt.allow)
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("credentials allowed")
			}
			if tt.status == http.StatusNoContent {
				if !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") || !strings.Contains(h.Get("Access-Control-Allow-Methods"), tt.reqMethod) {
					t.Errorf("preflight headers %v", h)
				}
			}
			if tt.origin != "" && !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
				t.Errorf("no Vary: Origin")
			}
		})
	}
}
