package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Greeting is whom the opening line of a message addresses.
type Greeting struct {
	Company    string // "A社" → "a"; "" when the line names none
	Department string // "経理部", as written; "" when the line names none
	Person     string // "田中", "tanaka", "bob"
	// Bare marks an opening that is a name and a comma, colon or dash
	// ("John," "Sally -"). Mail among colleagues opens so five times as
	// often as with "Dear" or "Hi" (a fifth of Enron's sent mail), but
	// "Thanks," and "Yes -" open the same way: a bare opening names a
	// person only when someone the sender knows bears the name.
	Bare bool
}

// Bounds on how much of a body the greeting parser reads: a greeting sits
// in the first lines, and hostile text must not cost more than this.
const (
	greetingLines    = 6
	greetingLineSize = 300
	maxGreetings     = 8
)

// ParseGreeting finds the addressees named in the first lines of text:
// Japanese ("A社 田中様", "株式会社Aの田中様", "田中さん") and English ("Dear
// Mr. Tanaka,", "Hi Bob,", "Hello Bob and Alice"). Quoted lines are
// skipped. It returns nil when the opening names nobody.
func ParseGreeting(text string) []Greeting {
	var out []Greeting
	lines := 0
	company := "" // the company a line of its own named, for the next line
	dept := ""    // the department a line of its own named, for the next line
	for len(text) > 0 && lines < greetingLines {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if len(line) > greetingLineSize {
			line = line[:greetingLineSize]
		}
		line = strings.TrimSpace(strings.ToValidUTF8(line, ""))
		if line == "" || strings.HasPrefix(line, ">") {
			continue
		}
		lines++
		line = norm.NFKC.String(line)
		if g := japaneseGreeting(line); len(g) > 0 {
			// A Japanese business letter puts the company on its own line
			// above the name: "株式会社A\n田中様".
			for i := range g {
				if g[i].Company == "" && company != "" {
					g[i].Company = company
				}
				if g[i].Department == "" && dept != "" {
					g[i].Department = dept
				}
			}
			out = append(out, g...)
			company, dept = "", ""
			continue
		}
		if c := companyLine(line); c != "" {
			// "青葉食品株式会社 営業部" on a line of its own.
			company = c
			_, dept = splitDepartment(line)
			continue
		}
		if departmentLine(line) {
			// "株式会社A\n営業部\n田中様": the company still speaks for
			// the name below the department, and the department does too.
			dept = strings.TrimSpace(dept + " " + line)
			continue
		}
		company, dept = "", ""
		if g := englishGreeting(line); len(g) > 0 {
			out = append(out, g...)
		} else if lines == 1 {
			out = append(out, bareGreeting(line)...)
		}
	}
	if len(out) > maxGreetings {
		out = out[:maxGreetings]
	}
	return out
}

var jaHonorifics = []string{"様", "殿", "さん", "さま"}

func japaneseGreeting(line string) []Greeting {
	var out []Greeting
	for _, seg := range strings.FieldsFunc(line, func(r rune) bool { return r == '、' || r == ',' || r == '・' }) {
		seg = strings.TrimSpace(seg)
		hon := ""
		for _, h := range jaHonorifics {
			if strings.HasSuffix(seg, h) {
				hon = h
				break
			}
		}
		if hon == "" {
			continue
		}
		seg = strings.TrimSpace(strings.TrimSuffix(seg, hon))
		// The person is the last word; what comes before names the company,
		// unless the two are a Western name ("David White様").
		company, person := "", seg
		if i := strings.LastIndexFunc(seg, unicode.IsSpace); i >= 0 && !latinName(seg) {
			company, person = strings.TrimSpace(seg[:i]), seg[i+1:]
		}
		if i := strings.LastIndex(person, "の"); i >= 0 {
			company, person = strings.TrimSpace(company+" "+person[:i]), person[i+len("の"):]
		}
		company, dept := splitDepartment(company)
		// "部長" or "ご担当者" addresses a role, not a person.
		for _, role := range []string{"ご担当者", "担当者", "各位", "皆", "みな", "部長", "課長", "社長", "先生"} {
			person = strings.TrimSuffix(person, role)
		}
		maxRunes := 8
		if latinName(person) {
			person, maxRunes = strings.ToLower(person), 40
		}
		if n := utf8.RuneCountInString(person); n == 0 || n > maxRunes {
			person = ""
		}
		company = companyName(company)
		if person != "" || company != "" || dept != "" {
			out = append(out, Greeting{Company: company, Department: dept, Person: person})
		}
	}
	return out
}

// companyMarks are what make a line of its own a company name.
var companyMarks = []string{"株式会社", "有限会社", "合同会社", "(株)", "(有)"}

// latinCompanyEnds end the name of a company written in Latin letters
// ("Northwind Trading Co.", "Contoso, Inc."), lower-cased.
var latinCompanyEnds = []string{" co.", " co., ltd.", " co.,ltd.", " inc.", " inc", " ltd.", " ltd", " corp.", " corporation", " company", " llc", " k.k.", " gmbh", " plc"}

// latinName reports whether s is two or three words of Latin letters: a
// Western person's name, not a company and a name.
func latinName(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		for _, r := range w {
			if !unicode.In(r, unicode.Latin) && r != '-' && r != '\'' {
				return false
			}
		}
	}
	return true
}

// companyLine returns the company a line names when the line is only a
// company name ("株式会社青葉食品", "青葉食品株式会社 営業部"), else "".
func companyLine(line string) string {
	if utf8.RuneCountInString(line) > 40 {
		return ""
	}
	for _, m := range companyMarks {
		if strings.Contains(line, m) {
			return companyName(line)
		}
	}
	lower := strings.ToLower(line)
	for _, m := range latinCompanyEnds {
		if strings.HasSuffix(lower, m) {
			return companyName(line)
		}
	}
	return ""
}

// departmentMarks end the name of a department, division or section.
var departmentMarks = []string{"部", "課", "室", "本部", "部門", "センター", "グループ", "チーム", "事業所", "支店", "営業所"}

// departmentLine reports whether a line is only a department's name
// ("営業部", "営業第一部 第二課"), as letters put between company and name.
func departmentLine(line string) bool {
	if utf8.RuneCountInString(line) > 24 || strings.ContainsAny(line, "。、,.") {
		return false
	}
	for _, m := range departmentMarks {
		if strings.HasSuffix(line, m) {
			return true
		}
	}
	return false
}

// splitDepartment takes the department off the end of what a greeting puts
// before the name: "A社 営業部" → "A社", "営業部"; "Aの営業部" → "A",
// "営業部"; "経理部" → "", "経理部".
func splitDepartment(s string) (company, dept string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if i := strings.LastIndexFunc(s, unicode.IsSpace); i >= 0 && departmentLine(s[i+1:]) {
		return strings.TrimSpace(s[:i]), s[i+1:]
	}
	if i := strings.LastIndex(s, "の"); i >= 0 && departmentLine(s[i+len("の"):]) {
		return strings.TrimSpace(s[:i]), s[i+len("の"):]
	}
	if departmentLine(s) && !strings.ContainsFunc(s, unicode.IsSpace) && companyLine(s) == "" {
		return "", s
	}
	return s, ""
}

// companyName reduces "株式会社ABC", "ABC株式会社", "(株)ABC", "A社 営業部" to
// a comparable lower-case name ("abc", "a"); "" when nothing is left.
func companyName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		// "A社 営業部": the company comes first, the department after.
		s = s[:i]
	}
	for _, w := range []string{"株式会社", "有限会社", "合同会社", "(株)", "(有)", "御社", "貴社"} {
		s = strings.ReplaceAll(s, w, "")
	}
	s = strings.TrimSuffix(s, "社")
	s = strings.ToLower(strings.TrimSpace(s))
	if utf8.RuneCountInString(s) > 30 {
		return ""
	}
	return s
}

var enSalutations = []string{"dear ", "hi ", "hello ", "hey ", "good morning ", "good afternoon ", "good evening "}

func englishGreeting(line string) []Greeting {
	low := strings.ToLower(line)
	rest := ""
	for _, s := range enSalutations {
		if strings.HasPrefix(low, s) {
			rest = line[len(s):]
			break
		}
	}
	if rest == "" {
		return nil
	}
	for from := 0; from < len(rest); {
		i := strings.IndexAny(rest[from:], ",:;!.\u3001")
		if i < 0 {
			break
		}
		i += from
		if !isTitleDot(rest, i) {
			rest = rest[:i]
			break
		}
		from = i + 1
	}
	var out []Greeting
	for _, part := range splitNames(rest) {
		var words []string
		for _, w := range strings.Fields(part) {
			lw := strings.ToLower(strings.Trim(w, ".-"))
			lw = strings.TrimSuffix(lw, "-san")
			if lw == "" || honorific[lw] || enNotNames[lw] {
				continue
			}
			words = append(words, lw)
		}
		if len(words) == 0 || len(words) > 3 {
			continue
		}
		out = append(out, Greeting{Person: strings.Join(words, " ")})
	}
	return out
}

// maxBareHead bounds the names before a bare opening's mark: "Mark and
// Sally," fits, a sentence with a comma does not.
const maxBareHead = 40

// bareGreeting returns the names a first line opens with when they are
// only names, each capitalised, ended by a comma, a colon or a dash ("John,
// see below", "Mark and Sally -", "Jeff, Jim, Dave:").
func bareGreeting(line string) []Greeting {
	var out []Greeting
	for len(out) < maxGreetings {
		end := strings.IndexAny(line, ",:")
		for _, dash := range []string{" -", "--"} {
			if d := strings.Index(line, dash); d >= 0 && (end < 0 || d < end) {
				end = d
			}
		}
		if end <= 0 || end > maxBareHead {
			break
		}
		names := bareNames(line[:end])
		if names == nil {
			break
		}
		out = append(out, names...)
		if line[end] != ',' {
			break // a colon or a dash ends the names
		}
		line = strings.TrimLeft(line[end+1:], " ")
	}
	return out
}

// bareNames returns the people head names when it is only names: one or
// two capitalised words each, joined by "and" or "&".
func bareNames(head string) []Greeting {
	for _, w := range strings.Fields(head) {
		if w != "and" && w != "&" && !capitalisedWord(w) {
			return nil
		}
	}
	var out []Greeting
	for _, part := range splitNames(head) {
		words := strings.Fields(part)
		if len(words) == 0 || len(words) > 2 {
			return nil
		}
		for i, w := range words {
			words[i] = strings.ToLower(w)
			if honorific[words[i]] || enNotNames[words[i]] || bareNotNames[words[i]] {
				return nil
			}
		}
		out = append(out, Greeting{Person: strings.Join(words, " "), Bare: true})
	}
	return out
}

// capitalisedWord reports whether w is a capitalised Latin word: "Sally",
// "O'Neal", "Mary-Ann"; not "FYI" or "ok".
func capitalisedWord(w string) bool {
	upper := 0
	for i, r := range w {
		switch {
		case i == 0 && !('A' <= r && r <= 'Z'):
			return false
		case 'A' <= r && r <= 'Z':
			upper++
		case 'a' <= r && r <= 'z', r == '\'', r == '-':
		default:
			return false
		}
	}
	return upper == 1 || upper*2 < len(w)
}

// bareNotNames are words a first line opens with, as a name would, that
// name nobody. Words outside the list are checked against the names the
// sender knows.
var bareNotNames = map[string]bool{"yes": true, "no": true, "thanks": true, "thank": true, "sorry": true, "well": true,
	"ok": true, "okay": true, "please": true, "here": true, "attached": true, "note": true, "update": true, "fyi": true,
	"yeah": true, "great": true, "good": true, "sure": true, "also": true, "regards": true, "cheers": true, "group": true,
	"gentlemen": true, "ladies": true, "friends": true, "subject": true, "re": true, "fw": true, "fwd": true, "question": true}

// isTitleDot reports whether the dot at i ends a title ("Mr.") rather than
// the greeting.
func isTitleDot(s string, i int) bool {
	if s[i] != '.' {
		return false
	}
	w := strings.ToLower(s[:i])
	if j := strings.LastIndexByte(w, ' '); j >= 0 {
		w = w[j+1:]
	}
	return honorific[w]
}

var enNotNames = map[string]bool{"all": true, "team": true, "everyone": true, "there": true, "folks": true, "guys": true, "sir": true, "madam": true, "colleagues": true, "both": true, "and": true}

func splitNames(s string) []string {
	s = strings.ReplaceAll(s, " & ", ",")
	s = strings.ReplaceAll(s, " and ", ",")
	return strings.Split(s, ",")
}
