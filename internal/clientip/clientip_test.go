package clientip

import (
	"net/http"
	"testing"
)

func TestOf(t *testing.T) {
	proxies, err := Parse([]string{"10.0.0.5", "192.168.1.0/24", " "})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		proxies Proxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies: the connection", nil, "203.0.113.9:5555", []string{"198.51.100.1"}, "203.0.113.9"},
		{"untrusted sender of the header", proxies, "203.0.113.9:5555", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted proxy", proxies, "10.0.0.5:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"forged left part ignored", proxies, "10.0.0.5:443", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", proxies, "10.0.0.5:443", []string{"198.51.100.1, 192.168.1.7"}, "198.51.100.1"},
		{"several headers", proxies, "10.0.0.5:443", []string{"1.2.3.4", "198.51.100.1"}, "198.51.100.1"},
		{"garbage stops the walk", proxies, "10.0.0.5:443", []string{"198.51.100.1, nonsense"}, "10.0.0.5"},
		{"no header", proxies, "10.0.0.5:443", nil, "10.0.0.5"},
		{"IPv6 client", proxies, "10.0.0.5:443", []string{"2001:db8::1"}, "2001:db8::1"},
	}
	for _, tc := range tests {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := tc.proxies.Of(r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := Parse([]string{"proxy.corp.example"}); err == nil {
		t.Error("a host name accepted as a proxy")
	}
}
