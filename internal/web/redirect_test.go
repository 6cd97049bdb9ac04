package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// nextCases are the next= values of item 5 of issue 12 and their variants,
// as the query or form carries them (already percent-decoded once by the
// server), with where each must lead.
var nextCases = []struct {
	next, want string
}{
	{"/held", "/held"},
	{"/approvals?done=released", "/approvals?done=released"},
	{"/reports?since=2026-11-01&department=%E5%96%B6%E6%A5%AD%E9%83%A8", "/reports?since=2026-11-01&department=%E5%96%B6%E6%A5%AD%E9%83%A8"},
	{"", "/"},
	{"held", "/"},
	{"//evil.example", "/"},
	{"///evil.example", "/"},
	{"/\\evil.example", "/"},
	{"\\\\evil.example", "/"},
	{"/\t/evil.example", "/"},   // next=/%09/evil.example
	{"/\n/evil.example", "/"},   // %0a
	{"/\r/evil.example", "/"},   // %0d
	{"/\r\n/evil.example", "/"}, // a header split besides
	{"/ /evil.example", "/"},
	{"/\x00/evil.example", "/"},
	{"/\x7f/evil.example", "/"},
	{"/%09/evil.example", "/%09/evil.example"}, // still encoded: a path on this site
	{"https://evil.example/", "/"},
	{"http:evil.example", "/"},
	{"javascript:alert(1)", "/"},
	{"/\t\\evil.example", "/"},
}

func TestSafeNext(t *testing.T) {
	for _, tc := range nextCases {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

// The same cases through HTTP: the language switch and a password
// sign-in redirect only to this site.
func TestNoOpenRedirect(t *testing.T) {
	e := newEnv(t, nil)
	if err := e.auth.AddAccount(context.Background(), "sato@corp.example", testPassword, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range nextCases {
		_, _, resp := e.do("GET", "/lang?lang=en&next="+url.QueryEscape(tc.next), "", nil, nil)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != tc.want {
			t.Errorf("/lang next=%q: %d to %q, want %q", tc.next, resp.StatusCode, loc, tc.want)
		}
		_, page, resp := e.do("GET", "/login", "", nil, nil)
		lc := cookieOf(resp, loginCookie)
		form := url.Values{"csrf": {csrfIn(page)}, "address": {"sato@corp.example"}, "password": {testPassword}, "next": {tc.next}}
		_, _, resp = e.do("POST", "/login", "", form, map[string]string{"Cookie": loginCookie + "=" + lc.Value})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != tc.want {
			t.Errorf("sign-in next=%q: %d to %q, want %q", tc.next, resp.StatusCode, loc, tc.want)
		}
	}
}
