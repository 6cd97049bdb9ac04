package detect

import (
	"slices"
	"strings"
	"sync"
)

//go:generate go run surnames_gen.go

// surnameReadings maps a Japanese family name written in kanji to its
// Latin spellings (surnames_table.go, from the IPA dictionary): 上田 →
// ueda, 佐藤 → sato, satou, satoh. Built on first use: mail that never
// greets in Japanese never pays for it.
var surnameReadings = sync.OnceValue(func() map[string][]string {
	m := make(map[string][]string, strings.Count(surnameTable, "\n"))
	for line := range strings.Lines(surnameTable) {
		kanji, spellings, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if ok {
			m[kanji] = strings.Fields(spellings)
		}
	}
	return m
})

// greets reports whether the greeted name token g names a person known by
// the tokens have: one of them is g, or, g being a family name in kanji,
// one of its readings ("上田様" greets "Ueda Ken" and ueda@partner.example
// alike, as a Japanese address book seldom has the kanji of outsiders).
func greets(g string, have []string) bool {
	if slices.Contains(have, g) {
		return true
	}
	if !isCJK(g) {
		return false
	}
	for _, r := range surnameReadings()[g] {
		if slices.Contains(have, r) {
			return true
		}
	}
	return false
}

// greetsAny reports whether any greeted token names someone known by have.
func greetsAny(greeted, have []string) bool {
	return slices.ContainsFunc(greeted, func(g string) bool { return greets(g, have) })
}

// greetsAll reports whether every greeted token names someone known by
// have, and there is at least one: "Portland friends" names the Portland
// list only if the list is also known as "friends".
func greetsAll(greeted, have []string) bool {
	for _, g := range greeted {
		if !greets(g, have) {
			return false
		}
	}
	return len(greeted) > 0
}
