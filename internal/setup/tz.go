package setup

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SystemTimeZone guesses the host's IANA time zone name: $TZ, then the
// target of /etc/localtime, then /etc/timezone; "" when it cannot tell.
func SystemTimeZone() string {
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); tz != "" && valid(tz) {
		return tz
	}
	if target, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok && valid(name) {
			return name
		}
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		if tz := strings.TrimSpace(string(b)); valid(tz) {
			return tz
		}
	}
	return ""
}

func valid(tz string) bool {
	_, err := time.LoadLocation(tz)
	return err == nil && tz != "Local"
}

// LangOf picks ja or en from a locale such as $LANG ("ja_JP.UTF-8").
func LangOf(locale string) string {
	if strings.HasPrefix(strings.ToLower(locale), "ja") {
		return "ja"
	}
	if locale == "" || locale == "C" || locale == "POSIX" || strings.HasPrefix(locale, "C.") {
		return "" // no say: the default applies
	}
	return "en"
}
