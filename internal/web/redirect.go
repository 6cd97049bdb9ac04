package web

import (
	"net/url"
	"strings"
)

// safeNext returns next when it is a path on this site, "/" otherwise: the
// page a sign-in or a language switch returns to must not lead off-site
// (an open redirect lends misend's name to a phishing link).
//
// A prefix test is not enough: browsers drop tabs and newlines anywhere in
// a URL and read a backslash as a slash, so "/\t/evil.example" and
// "/\evil.example" become "//evil.example" — another host. So any control
// character, space or backslash makes next unsafe, as does "//" and
// anything that parses with a scheme or a host.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}
