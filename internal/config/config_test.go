package config

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	c, err := Parse([]byte(`
db = "m.db"
org_domains = ["corp.example"]
[smtp]
listen = "127.0.0.1:2525"
networks = ["10.0.0.0/8", "::1/128"]
max_recipients = 100
[upstream]
addr = "mx.example:25"
tls = "required"
[queue]
retry_first = "30s"
max_age = "120h"
[policy.default]
fail_safe = "delay"
[notify]
base_url = "https://misend.corp.example"
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP.MaxRecipients != 100 || c.Upstream.TLS != "required" || time.Duration(c.Queue.MaxAge) != 120*time.Hour || c.Policy == nil || c.Policy.Default.FailSafe != "delay" || len(c.SMTP.NetworkPrefixes()) != 2 {
		t.Errorf("parsed %+v", c)
	}
}

func TestBadConfigs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[smtp]\nlisten = \"x\"\nmax_recipents = 3\n", "line 3: smtp.max_recipents"},
		{"[smtp]\nnetworks = [\"10.0.0.0/33\"]\n", "line 2"},
		{"[smtp]\nnetworks = [\"10.0.0.0/33\"]\n", "10.0.0.0/33"},
		{"[smtp]\ntls_cert = \"c.pem\"\n", "tls_key"},
		{"[smtp]\nfail_safe = \"ignore\"\n", "fail_safe"},
		{"[smtp]\n\nfail_safe = \"ignore\"\n", "line 3"},
		{"[upstream]\ntls = \"yes\"\n", "upstream.tls"},
		{"[policy.default]\nbands = { warn = 1.5 }\n", "policy"},
		{"[policy.default]\nfail_sage = \"hold\"\n", "policy.default.fail_sage"},
		{"[notify]\ndefault_lang = \"fr\"\n", "notify.default_lang"},
		{"[notify]\nbase_url = \"misend.corp\"\n", "notify.base_url"},
		{"[queue]\nretry_first = \"soon\"\n", "line 2"},
		{"[queue]\nmax_age = \"-1h\"\n", "negative"},
		{"[queue]\ndelivery_workers = 1000\n", "queue.delivery_workers"},
		{"db = \n", "line 1"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want error mentioning %q", tc.in, err, tc.want)
		}
	}
}

// TestApprovalTable: the [approval] table is read with its department
// tables, and a typo or a bad value in it is refused naming the key.
func TestApprovalTable(t *testing.T) {
	for _, tc := range []struct {
		name, doc, err string
	}{
		{"read", `[approval]
escalate_after = "4h"
final_after = "1d"`, "final_after"},
		{"typo", `[approval]
escalate_afer = "4h"`, "approval.escalate_afer"},
		{"department", `[approval]
final_after = "24h"
[approval.department."経理部"]
final_action = "reject"
self_release = true
self_release_after = "30m"`, ""},
		{"bad action", `[approval.department."経理部"]
final_action = "delete"`, "final_action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.doc))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r := c.Approval.For("経理部"); r.FinalAction != "reject" || !r.SelfReleases() || r.FinalAfter <= 0 {
				t.Errorf("経理部: %+v", r)
			}
		})
	}
}
