package web

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/auth"
)

// langs are the page languages; the first is the default.
var langs = []string{"en", "ja"}

// chooseLang picks the page language: the person's own choice or the
// directory's, then the language cookie, then Accept-Language.
func chooseLang(p *auth.Principal, r *http.Request) string {
	if p != nil && contains(langs, p.Lang) {
		return p.Lang
	}
	if c, err := r.Cookie(langCookie); err == nil && contains(langs, c.Value) {
		return c.Value
	}
	return fromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// fromAcceptLanguage returns the best of langs for an Accept-Language
// header (RFC 9110 §12.5.4), the default when none fits.
func fromAcceptLanguage(h string) string {
	type cand struct {
		lang string
		q    float64
		i    int
	}
	var cs []cand
	for i, part := range strings.Split(h, ",") {
		if i > 50 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(tag, "-")
		if q > 0 && contains(langs, primary) {
			cs = append(cs, cand{primary, q, i})
		}
	}
	if len(cs) == 0 {
		return langs[0]
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].q > cs[b].q })
	return cs[0].lang
}

// missingKey, when set (tests), is told of every key without a text.
var missingKey func(string)

// tr translates key, formatting args into it when given.
func tr(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		if missingKey != nil {
			missingKey(key)
		}
		return key
	}
	s := m[0]
	if lang == "ja" && m[1] != "" {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// trValue translates a stored value v (an audit action, a role, a
// finding code) through the key prefix+v, v itself when there is none: a
// value recorded by a newer version is shown rather than a key.
func trValue(lang, prefix, v string) string {
	if v == "" {
		return ""
	}
	if _, ok := messages[prefix+v]; ok {
		return tr(lang, prefix+v)
	}
	return v
}

// scopeText writes a confidential-list or approver scope
// ("department:営業部", "group:役員会", "organization") for people.
func scopeText(lang, s string) string {
	kind, name, _ := strings.Cut(s, ":")
	switch kind {
	case "department":
		return tr(lang, "scope.department", name)
	case "group":
		return tr(lang, "scope.group", name)
	case "organization":
		return tr(lang, "scope.organization")
	}
	return s
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func encodeCookie(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decodeCookie(s string) ([]byte, error) {
	if len(s) > 4096 {
		return nil, errBadInput
	}
	return base64.RawURLEncoding.DecodeString(s)
}
