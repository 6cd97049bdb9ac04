package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/misend/misend/internal/directory"
)

// ChooseDefaultLang returns the language of notices to people whose
// directory entry sets none, and why, for the startup log: configured
// (notify.default_lang) when set; otherwise the language most people in
// the directory have set; otherwise Japanese when most names in the
// directory are written in Japanese or the organisation's domain is under
// .jp; otherwise English.
func ChooseDefaultLang(configured string, orgDomains []string, people []directory.Person) (lang, why string) {
	if configured == "ja" || configured == "en" {
		return configured, "notify.default_lang"
	}
	var ja, en, jaNames, names int
	for _, p := range people {
		switch strings.ToLower(p.Lang) {
		case "ja", "ja-jp":
			ja++
		case "en", "en-us", "en-gb":
			en++
		}
		if p.Name != "" {
			names++
			if japaneseScript(p.Name) {
				jaNames++
			}
		}
	}
	switch {
	case ja > en:
		return "ja", "most people in the directory have lang ja"
	case en > ja:
		return "en", "most people in the directory have lang en"
	case names > 0 && jaNames*2 > names:
		return "ja", "most names in the directory are Japanese"
	}
	for _, d := range orgDomains {
		if strings.HasSuffix(strings.ToLower(strings.TrimSuffix(d, ".")), ".jp") {
			return "ja", "the organisation's domain " + d + " is Japanese"
		}
	}
	return "en", "no notify.default_lang and nothing in the directory suggests Japanese"
}

// OwnLangCount is how many people in the directory have a language of
// their own, which notices to them follow instead of the default.
func OwnLangCount(people []directory.Person) int {
	n := 0
	for _, p := range people {
		if p.Lang != "" {
			n++
		}
	}
	return n
}

func japaneseScript(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}

// ChooseTimeZone returns the organisation's time zone, its name and why,
// for the startup log: configured (web.time_zone) when set; Asia/Tokyo
// when the directory or the domain says the organisation is Japanese (as
// ChooseDefaultLang reads them); otherwise the machine's.
func ChooseTimeZone(configured string, orgDomains []string, people []directory.Person) (*time.Location, string, error) {
	if configured != "" {
		loc, err := time.LoadLocation(configured)
		if err != nil {
			return nil, "", fmt.Errorf("time zone %q: %w", configured, err)
		}
		return loc, "web.time_zone", nil
	}
	if lang, why := ChooseDefaultLang("", orgDomains, people); lang == "ja" {
		if loc, err := time.LoadLocation("Asia/Tokyo"); err == nil {
			return loc, "Japanese organisation: " + why, nil
		}
		return time.FixedZone("JST", 9*3600), "Japanese organisation (no zone database): " + why, nil
	}
	return time.Local, "no web.time_zone and nothing suggests Japan: the machine's", nil
}
