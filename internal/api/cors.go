package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Cross-origin calls. The add-ins are served from misend's own origin, so
// most of their calls are same-origin; some Office hosts run the Send
// handler elsewhere, and then the browser asks first (a preflight: the
// Authorization header makes every API call one that needs it). Only the
// configured origins get an answer a browser will hand to the page, each
// named exactly: never "*", never "null", and never
// Access-Control-Allow-Credentials, since the API takes bearer tokens,
// not cookies.

// corsHeaders are the request headers an add-in sends.
const corsHeaders = "Authorization, Content-Type, Accept, Accept-Language"

// NormalizeOrigin returns s as an origin (scheme://host[:port], lower
// case, no path), or an error for anything else.
func NormalizeOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("origin %q: want scheme://host[:port]", s)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

func (a *API) allowedOrigin(origin string) bool {
	o, err := NormalizeOrigin(origin)
	return err == nil && o == origin && slices.Contains(a.origins, o)
}

// cors marks an allowed cross-origin answer and answers preflights; it
// reports whether the request has been answered.
func (a *API) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if !a.allowedOrigin(strings.ToLower(origin)) {
		if preflight {
			writeError(w, errForbidden("calls from "+origin+" are not allowed; misend allows its own public origin and the Office origins it is configured with"))
			return true
		}
		// Same-origin calls carry an Origin too; a browser withholds
		// any other answer from the page without the header below.
		return false
	}
	h.Set("Access-Control-Allow-Origin", strings.ToLower(origin))
	h.Set("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate")
	if !preflight {
		return false
	}
	_, pattern := a.mux.Handler(r)
	methods := a.methods[pattern]
	if len(methods) == 0 {
		writeError(w, errNotFound("no such API route"))
		return true
	}
	if want := r.Header.Get("Access-Control-Request-Method"); !slices.Contains(methods, want) {
		h.Set("Allow", strings.Join(methods, ", "))
		writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "use " + strings.Join(methods, " or ")})
		return true
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
	h.Set("Access-Control-Allow-Headers", corsHeaders)
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}
