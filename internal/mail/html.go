package mail

import (
	"html"
	"strings"
)

// HTMLText reduces HTML to the text a reader sees, as Parse does for
// text/html bodies: for HTML found elsewhere (attachments, archives).
func HTMLText(s string) string { return htmlToText(s) }

// htmlToText reduces HTML to the text a reader sees: tags go, the contents
// of script, style, head and comments go, block elements end lines, runs of
// blanks collapse and entities are decoded (after the tags are gone, so an
// escaped "&lt;b&gt;" stays text). It is cheap and not a renderer.
func htmlToText(s string) string {
	var b strings.Builder
	b.Grow(len(s) / 2)
	space := false // a blank is pending
	for i := 0; i < len(s); {
		c := s[i]
		if c != '<' || i+1 == len(s) || !tagStart(s[i+1]) {
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' {
				space = true
			} else {
				if space && b.Len() > 0 && !endsWithNewline(&b) {
					b.WriteByte(' ')
				}
				space = false
				b.WriteByte(c)
			}
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break // an unterminated tag hides the rest, as in a browser
		}
		tag := tagName(s[i+1 : i+end])
		i += end + 1
		switch tag {
		case "script", "style", "head", "title", "template":
			// Skip to the matching end tag; unterminated means to the end.
			close := indexFold(s[i:], "</"+tag)
			if close < 0 {
				i = len(s)
				continue
			}
			i += close
			if gt := strings.IndexByte(s[i:], '>'); gt >= 0 {
				i += gt + 1
			} else {
				i = len(s)
			}
		case "br", "p", "/p", "div", "/div", "tr", "/tr", "li", "/li", "h1", "h2", "h3", "h4", "h5", "h6",
			"/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "table", "/table", "blockquote", "/blockquote", "hr", "ul", "/ul", "ol", "/ol":
			if b.Len() > 0 && !endsWithNewline(&b) {
				b.WriteByte('\n')
			}
			space = false
		case "td", "/td", "th", "/th":
			space = true
		}
		// Other elements are inline: "<b>個人</b>情報" reads as one word.
	}
	return strings.TrimSpace(html.UnescapeString(b.String()))
}

// tagStart tells a tag ("<p", "</", "<!") from a lone "<" in text.
func tagStart(c byte) bool {
	return c == '/' || c == '!' || c == '?' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func endsWithNewline(b *strings.Builder) bool {
	s := b.String()
	return len(s) > 0 && s[len(s)-1] == '\n'
}

// tagName is the lower-cased element name of a tag's inside ("/p" for an
// end tag), without attributes.
func tagName(t string) string {
	end := 0
	for end < len(t) {
		c := t[end]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '>' || (c == '/' && end > 0) {
			break
		}
		end++
	}
	return strings.ToLower(t[:end])
}

// indexFold finds sub (ASCII, lower case) in s without regard to case.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i] == '<' && strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
