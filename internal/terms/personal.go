package terms

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/finding"
	"golang.org/x/text/unicode/norm"
)

// PersonalData counts personal-data patterns in a text. It holds counts of
// distinct values, never the values.
type PersonalData struct {
	MyNumbers     int `json:"my_numbers"`
	Cards         int `json:"cards"`
	Phones        int `json:"phones"`
	PostalAddress int `json:"postal_addresses"`
}

// DefaultManyContacts is how many distinct phone numbers or postal addresses
// make a message look like a list of people.
const DefaultManyContacts = 5

// Flagged tells whether the counts warrant a finding: any My Number or card
// number, or at least many phone numbers or postal addresses.
func (p PersonalData) Flagged(many int) bool {
	return p.MyNumbers > 0 || p.Cards > 0 || p.Phones >= many || p.PostalAddress >= many
}

// Sentence says what was found in counts and kinds only, in English.
func (p PersonalData) Sentence(many int) string {
	s, _ := finding.Text("en", "personal_data", p.args(many))
	return s
}

// args are the finding catalogue's arguments of the personal_data sentence:
// the kinds found as a list of fragment keys, and their counts.
func (p PersonalData) args(many int) finding.Args {
	args := finding.Args{}
	var found []string
	add := func(n int, one, more, arg string) {
		switch {
		case n == 1:
			found = append(found, one)
		case n > 1:
			found = append(found, more)
			args[arg] = strconv.Itoa(n)
		}
	}
	add(p.MyNumbers, "pd.my_number", "pd.my_numbers", "my_numbers")
	add(p.Cards, "pd.card", "pd.cards", "cards")
	if p.Phones >= many {
		add(p.Phones, "pd.phone", "pd.phones", "phones")
	}
	if p.PostalAddress >= many {
		add(p.PostalAddress, "pd.postal_address", "pd.postal_addresses", "postal_addresses")
	}
	args["found"] = strings.Join(found, " ")
	return args
}

// Digit runs with the separators people type inside numbers: space, hyphen,
// and after NFKC the full-width forms are ASCII already.
var (
	digitRun = regexp.MustCompile(`[0-9](?:[0-9]|[ -][0-9])*`)
	phoneJP  = regexp.MustCompile(`(?:\+81[ -]?|0)[1-9][0-9]{0,3}[ -]?\(?[0-9]{1,4}\)?[ -]?[0-9]{3,4}`)
	postalJP = regexp.MustCompile(`〒 ?[0-9]{3}-?[0-9]{4}`)
	// A street address without a postal code: prefecture, then a city,
	// ward, town or village, then a block number (東京都千代田区丸の内1-1).
	streetJP  = regexp.MustCompile(`(?:北海道|東京都|(?:大阪|京都)府|\p{Han}{2,3}県)\p{Han}{1,6}[市区町村郡]\S{0,20}?[0-9]+(?:-[0-9]+)*`)
	maxPIIlen = 16 << 20 // above the 10 MB message cap: a whole message is always scanned
)

// FindPersonalData scans texts (already NFKC-normalised or not: it
// normalises) for personal data.
func FindPersonalData(texts ...string) PersonalData {
	var p PersonalData
	mine, cards, phones, postal := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	budget := maxPIIlen
	for _, t := range texts {
		if budget <= 0 {
			break
		}
		if len(t) > budget {
			t = t[:budget]
		}
		budget -= len(t)
		t = norm.NFKC.String(t)
		if !strings.ContainsAny(t, "0123456789") {
			// Every pattern below needs a digit; most mail has
			// paragraphs without one, and the scans cost more than
			// the rest of the check.
			continue
		}
		for _, loc := range digitRun.FindAllStringIndex(t, -1) {
			run := t[loc[0]:loc[1]]
			// A run glued to letters is an identifier (order no. AB1234…).
			if loc[0] > 0 && isWordByte(t[loc[0]-1]) || loc[1] < len(t) && isWordByte(t[loc[1]]) {
				continue
			}
			if classifyRun(run, mine, cards) || !strings.Contains(run, " ") {
				continue
			}
			// Numbers side by side in a table are separated by one space
			// too: try each space-separated piece on its own.
			for _, piece := range strings.Split(run, " ") {
				classifyRun(piece, mine, cards)
			}
		}
		for _, m := range phoneJP.FindAllStringIndex(t, -1) {
			s := t[m[0]:m[1]]
			d := onlyDigits(s)
			if (m[0] > 0 && isWordByte(t[m[0]-1])) || (m[1] < len(t) && isWordByte(t[m[1]])) {
				continue
			}
			if strings.HasPrefix(s, "+81") {
				d = "0" + d[2:]
			}
			if len(d) == 10 || len(d) == 11 {
				phones[d] = true
			}
		}
		for _, m := range postalJP.FindAllString(t, -1) {
			postal[onlyDigits(m)] = true
		}
		// Addresses written without 〒 count once each; one written with
		// both is counted by its postal code and its street, which only
		// matters for lists, where both kinds are many anyway.
		if strings.ContainsAny(t, "都道府県") {
			for _, m := range streetJP.FindAllString(t, -1) {
				postal[m] = true
			}
		}
	}
	p.MyNumbers, p.Cards, p.Phones, p.PostalAddress = len(mine), len(cards), len(phones), len(postal)
	return p
}

// classifyRun records run as a My Number or card number when it is one.
func classifyRun(run string, mine, cards map[string]bool) bool {
	digits := onlyDigits(run)
	switch {
	case len(digits) == 12 && groupedLike(run, 4, 4, 4) && myNumberValid(digits):
		mine[digits] = true
	case len(digits) >= 13 && len(digits) <= 19 && cardGrouping(run) && luhnValid(digits) && cardPrefix(digits):
		cards[digits] = true
	default:
		return false
	}
	return true
}

func onlyDigits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// groupedLike accepts a run written without separators or grouped exactly as
// sizes (My Number: 4-4-4).
func groupedLike(run string, sizes ...int) bool {
	if !strings.ContainsAny(run, " -") {
		return true
	}
	parts := strings.FieldsFunc(run, func(r rune) bool { return r == ' ' || r == '-' })
	if len(parts) != len(sizes) {
		return false
	}
	for i, p := range parts {
		if len(p) != sizes[i] {
			return false
		}
	}
	return true
}

// cardGrouping accepts no separators, or groups of 4 (last 1–4 digits; Amex
// 4-6-5, Diners 4-6-4).
func cardGrouping(run string) bool {
	if !strings.ContainsAny(run, " -") {
		return true
	}
	parts := strings.FieldsFunc(run, func(r rune) bool { return r == ' ' || r == '-' })
	if len(parts) == 3 && len(parts[0]) == 4 && len(parts[1]) == 6 && (len(parts[2]) == 5 || len(parts[2]) == 4) {
		return true
	}
	for i, p := range parts {
		if len(p) != 4 && !(i == len(parts)-1 && len(p) >= 1 && len(p) <= 4) {
			return false
		}
	}
	return true
}

// myNumberValid checks the check digit of a 12-digit Japanese individual
// number (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 §8).
func myNumberValid(d string) bool {
	if len(d) != 12 {
		return false
	}
	sum := 0
	for n := 1; n <= 11; n++ {
		p := int(d[11-n] - '0')
		q := n + 1
		if n > 6 {
			q = n - 5
		}
		sum += p * q
	}
	r := sum % 11
	check := 0
	if r > 1 {
		check = 11 - r
	}
	return int(d[11]-'0') == check
}

func luhnValid(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// cardPrefix keeps issuer ranges of the major brands, which cuts the one in
// ten random digit runs that pass Luhn by chance.
func cardPrefix(d string) bool {
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch {
	case d[0] == '4': // Visa
		return true
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return true
	case p2 == 34 || p2 == 37: // Amex
		return len(d) == 15
	case p2 == 35: // JCB
		return true
	case p2 == 36 || p2 == 38 || p2 == 30: // Diners
		return true
	case p4 == 6011 || p2 == 65: // Discover
		return true
	case d[0] == '6' && d[1] == '2': // UnionPay
		return true
	}
	return false
}
