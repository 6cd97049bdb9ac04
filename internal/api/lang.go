package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/finding"
)

// langOf is the language findings are written in for this request: the
// lang query parameter, else the best of Accept-Language, else English
// (API clients are programs first; the web UI defaults per person).
func langOf(r *http.Request) (string, error) {
	if l, ok := r.URL.Query()["lang"]; ok {
		if len(l) != 1 || (l[0] != "en" && l[0] != "ja") {
			return "", errBadRequest("lang must be en or ja")
		}
		return l[0], nil
	}
	return fromAcceptLanguage(r.Header.Get("Accept-Language")), nil
}

// maxLangRanges bounds the work on a hostile Accept-Language header.
const maxLangRanges = 32

// fromAcceptLanguage returns the language among finding.Languages with the
// highest quality in an Accept-Language header (RFC 9110 §12.5.4), the first
// listed on a tie, English when none is acceptable.
func fromAcceptLanguage(h string) string {
	best, bestQ := "en", 0.0
	for i, part := range strings.Split(h, ",") {
		if i == maxLangRanges {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		primary, _, _ := strings.Cut(tag, "-")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		for _, l := range finding.Languages {
			if primary == l && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// localized writes fs in the request's language.
func localized(fs []finding.Finding, lang string) []finding.Finding {
	if fs == nil {
		return nil
	}
	return finding.LocalizeAll(fs, lang)
}
