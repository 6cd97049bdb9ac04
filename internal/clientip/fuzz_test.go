package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// FuzzOf feeds X-Forwarded-For as a client writes it. The answer is the
// connection's address unless a trusted proxy made the connection, and
// then an address the header holds, never anything else it holds.
func FuzzOf(f *testing.F) {
	f.Add("10.0.0.5:443", "198.51.100.1")
	f.Add("10.0.0.5:443", "1.2.3.4, 198.51.100.1, 192.168.1.7")
	f.Add("203.0.113.9:5555", "198.51.100.1")
	f.Add("10.0.0.5:443", "::ffff:10.0.0.5,2001:db8::1%eth0, ,")
	f.Add("[::1]:80", "<script>")
	proxies, err := Parse([]string{"10.0.0.5", "192.168.1.0/24", "::1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {xff}}}
		got := proxies.Of(r)
		host, _, err := net.SplitHostPort(remote)
		if err != nil {
			host = remote
		}
		if got == host {
			return
		}
		a, err := netip.ParseAddr(host)
		if err != nil || !proxies.trusts(a) {
			t.Fatalf("untrusted connection %q gave %q", remote, got)
		}
		g, err := netip.ParseAddr(got)
		if err != nil {
			t.Fatalf("%q is no address (header %q)", got, xff)
		}
		if g == a.Unmap() {
			return
		}
		for _, hop := range strings.Split(xff, ",") {
			if h, err := netip.ParseAddr(strings.TrimSpace(hop)); err == nil && h.Unmap() == g {
				return
			}
		}
		t.Fatalf("%q is neither in the header %q nor the proxy", got, xff)
	})
}
