package mail

import (
	"slices"
	"strings"
	"unicode"
)

// replyPrefixes are the markers mail clients put before a subject they
// answer or forward, in English, German, Japanese clients and Outlook's
// localisations that Japanese offices meet most; compared case-insensitively.
var replyPrefixes = []string{"re", "fw", "fwd", "aw", "wg", "返信", "転送", "答复", "回复", "sv", "vs", "tr", "rif", "antw"}

// forwardPrefixes are the markers of replyPrefixes that say forwarded.
var forwardPrefixes = []string{"fw", "fwd", "wg", "転送", "tr"}

// BaseSubject returns subject without the reply and forward markers clients
// add ("Re: Fw: RE[2]: 返信: x" → "x"), list tags ("[project-x] ") and
// surrounding space, with inner runs of space folded to one and letters
// lowered: what a conversation's messages share when nothing else links
// them. isReply tells whether any marker was taken off.
func BaseSubject(subject string) (base string, isReply bool) {
	s := strings.TrimSpace(subject)
	for {
		t := strings.TrimLeftFunc(s, unicode.IsSpace)
		if strings.HasPrefix(t, "[") {
			// A list tag: "[misend-dev] Re: x".
			if i := strings.IndexByte(t, ']'); i > 0 && i < 40 {
				t = t[i+1:]
			}
		}
		t = strings.TrimLeftFunc(t, unicode.IsSpace)
		rest, _, ok := cutReplyPrefix(t)
		if !ok {
			s = t
			break
		}
		isReply = true
		s = rest
	}
	return strings.ToLower(strings.Join(strings.Fields(s), " ")), isReply
}

// IsForward reports whether subject's first marker says the message is
// forwarded ("Fw:", "FWD:", "転送:"; not "RE: FW:").
func IsForward(subject string) bool {
	_, p, ok := cutReplyPrefix(strings.TrimSpace(subject))
	return ok && slices.Contains(forwardPrefixes, p)
}

// cutReplyPrefix cuts one "Re:", "RE[2]:", "Fw：" or "返信:" off s and says
// which marker it was.
func cutReplyPrefix(s string) (rest, marker string, ok bool) {
	for _, p := range replyPrefixes {
		if len(s) < len(p) || !strings.EqualFold(s[:len(p)], p) {
			continue
		}
		t := s[len(p):]
		if strings.HasPrefix(t, "[") { // RE[2]:
			if i := strings.IndexByte(t, ']'); i > 0 && i < 6 {
				t = t[i+1:]
			}
		}
		t = strings.TrimLeft(t, " ")
		for _, colon := range []string{":", "："} {
			if strings.HasPrefix(t, colon) {
				return t[len(colon):], p, true
			}
		}
	}
	return s, "", false
}
