package finding

import (
	"strings"
)

// Args are a sentence's named arguments: addresses, domains, counts, scope
// names, or (for {@name} in a template) catalogue keys of fragments.
type Args map[string]string

// Languages misend writes findings in; the first is the default.
var Languages = []string{"en", "ja"}

// Lang returns lang if misend writes it, else English.
func Lang(lang string) string {
	if lang == "ja" {
		return "ja"
	}
	return "en"
}

// Say returns f with its Message written from the catalogue sentence key
// with args, in English, and the key and args kept so that Localize can write
// it in another language later (after storage, in another process). An
// unknown key or a missing argument is a programming error the catalogue
// tests catch; Say then leaves the key as the message rather than panic on a
// path mail goes through.
func (f Finding) Say(key string, args Args) Finding {
	f.Key, f.Args = key, args
	if s, ok := Text("en", key, args); ok {
		f.Message = s
	} else {
		f.Message = key
	}
	return f
}

// Suggest returns f with a suggested action (not an address) written from
// the catalogue sentence key, using f's arguments.
func (f Finding) Suggest(key string) Finding {
	f.SuggestionKey = key
	if s, ok := Text("en", key, f.Args); ok {
		f.Suggestion = s
	} else {
		f.Suggestion = key
	}
	return f
}

// Localize returns f with Message and Suggestion in lang ("en" or "ja").
// A finding without a key (written before the catalogue, or by a detector
// not converted), or whose sentence fails to render, is said in the
// general sentence of its code ("code.NEW_RECIPIENT"), or, for a code
// without one, keeps its English; its Suggestion stays as it was.
func Localize(f Finding, lang string) Finding {
	lang = Lang(lang)
	if lang == "en" {
		return f
	}
	done := false
	if f.Key != "" {
		if s, ok := Text(lang, f.Key, f.Args); ok {
			f.Message, done = s, true
		}
	}
	if !done {
		// Stored before the catalogue, or not renderable: the kind's
		// general sentence rather than English in a Japanese page.
		if s, ok := Text(lang, "code."+string(f.Code), nil); ok {
			f.Message = s
		}
	}
	if f.SuggestionKey != "" {
		if s, ok := Text(lang, f.SuggestionKey, f.Args); ok {
			f.Suggestion = s
		}
	}
	return f
}

// LocalizeAbout returns copies of fs localized to lang for someone reading
// about the sender — an approver, an auditor — rather than the sender
// themselves: "the sender has never mailed this address", not "you have
// never mailed". Sentences without such a wording read as Localize's.
func LocalizeAbout(fs []Finding, lang string) []Finding {
	if fs == nil {
		return nil
	}
	lang = Lang(lang)
	out := make([]Finding, len(fs))
	for i, f := range fs {
		f = Localize(f, lang)
		if f.Key != "" {
			if s, ok := renderAbout(lang, f.Key, f.Args); ok {
				f.Message = s
			}
		}
		out[i] = f
	}
	return out
}

// TextAbout writes key as read about the sender (LocalizeAbout); ok is
// false when key has no such wording.
func TextAbout(lang, key string, args Args) (string, bool) {
	return renderAbout(Lang(lang), key, args)
}

func renderAbout(lang, key string, args Args) (string, bool) {
	e, ok := aboutCatalog[key]
	if !ok {
		return "", false
	}
	return renderTemplate(lang, e.in(lang), args, 0)
}

// LocalizeAll returns copies of fs localized to lang.
func LocalizeAll(fs []Finding, lang string) []Finding {
	if fs == nil {
		return nil
	}
	out := make([]Finding, len(fs))
	for i, f := range fs {
		out[i] = Localize(f, lang)
	}
	return out
}

// Text writes the catalogue sentence key in lang with args. ok is false
// for an unknown key, a missing argument or a malformed template.
func Text(lang, key string, args Args) (string, bool) {
	return render(Lang(lang), key, args, 0)
}

// maxDepth bounds fragment nesting: a fragment naming itself would
// otherwise recurse for ever.
const maxDepth = 3

// parseKind says in a few plain words what a parser problem (the mail
// package's own words) means for a person: a catalogue key.
func parseKind(problem string) string {
	p := strings.ToLower(problem)
	switch {
	case strings.Contains(p, "truncated"):
		return "parse.too_large"
	case strings.Contains(p, "base64") || strings.Contains(p, "quoted-printable") || strings.Contains(p, "charset") ||
		strings.Contains(p, "encod") || strings.Contains(p, "decod"):
		return "parse.encoding"
	case strings.Contains(p, "boundary") || strings.Contains(p, "multipart") || strings.Contains(p, "part "):
		return "parse.structure"
	case strings.Contains(p, "header") || strings.Contains(p, "address"):
		return "parse.header"
	}
	return "parse.other"
}

func render(lang, key string, args Args, depth int) (string, bool) {
	if key == "parse_problem" && depth == 0 && args["kind"] == "" {
		// Stored findings carry the parser's words only.
		a := Args{"kind": parseKind(args["problem"])}
		for k, v := range args {
			if k != "kind" {
				a[k] = v
			}
		}
		args = a
	}
	e, ok := catalog[key]
	if !ok || depth > maxDepth {
		return "", false
	}
	return renderTemplate(lang, e.in(lang), args, depth)
}

func renderTemplate(lang, t string, args Args, depth int) (string, bool) {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			return b.String(), true
		}
		b.WriteString(t[:i])
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return "", false
		}
		name := t[i+1 : i+j]
		t = t[i+j+1:]
		if frag, ok := strings.CutPrefix(name, "@"); ok {
			v, ok := args[frag]
			if !ok {
				return "", false
			}
			for n, k := range strings.Fields(v) {
				s, ok := render(lang, k, args, depth+1)
				if !ok {
					return "", false
				}
				if n > 0 {
					b.WriteString(listSep[lang])
				}
				b.WriteString(s)
			}
			continue
		}
		v, ok := args[name]
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
}

// placeholders returns the argument names a template uses, "@" marking
// fragment arguments.
func placeholders(t string) []string {
	var out []string
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return append(out, "{unclosed")
		}
		out = append(out, t[i+1:i+j])
		t = t[i+j+1:]
	}
}
