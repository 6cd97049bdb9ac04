package web

import (
	"strings"
	"testing"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/policy"
)

// What the configuration check found at start is on the policy page, in
// the reader's language; with nothing found there is no such section.
func TestPolicyPageShowsConfigAdvice(t *testing.T) {
	pcfg := policy.DefaultConfig()
	e := newEnv(t, func(o *Options) {
		o.Policy = &pcfg
		o.ConfigAdvice = []config.Advice{{Severity: config.Warning, Key: "notify.base_url", Code: "no_public_url"}}
	})
	c, _ := e.session("root@corp.example")
	for lang, want := range map[string]string{"en": "senders are never told", "ja": "送信者に通知が届きません"} {
		status, body, _ := e.do("GET", "/policy", c, nil, map[string]string{"Accept-Language": lang})
		if status != 200 || !strings.Contains(body, `id="config-advice"`) || !strings.Contains(body, want) || !strings.Contains(body, "notify.base_url") {
			t.Errorf("%s: status %d, advice missing", lang, status)
		}
	}
	e2 := newEnv(t, func(o *Options) { o.Policy = &pcfg })
	c2, _ := e2.session("root@corp.example")
	if _, body, _ := e2.do("GET", "/policy", c2, nil, nil); strings.Contains(body, `id="config-advice"`) {
		t.Error("advice section without advice")
	}
}
