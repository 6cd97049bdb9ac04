// Package clientip says which address an HTTP request came from, for
// throttles and the audit log. Behind a reverse proxy every request comes
// from the proxy, so one client's failures would throttle everyone; but
// X-Forwarded-For is whatever the client wrote, so it is believed only
// when the connection comes from a proxy the operator named.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies whose X-Forwarded-For is believed. The
// zero value trusts nobody: the connection's address is the client's.
type Proxies []netip.Prefix

// Parse reads proxies as addresses or CIDR prefixes ("10.0.0.5",
// "10.0.0.0/24", "::1").
func Parse(list []string) (Proxies, error) {
	var out Proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or a prefix", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (p Proxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, pr := range p {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// Of returns the client's address for r: the connection's, or — when
// that is a trusted proxy — the nearest address in X-Forwarded-For that is
// not one, read from the right (each proxy appends the address it saw;
// anything further left was written by the client and may be forged).
func (p Proxies) Of(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !p.trusts(a) {
		return host
	}
	client := a.Unmap().String()
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: believe no further
		}
		client = h.Unmap().String()
		if !p.trusts(h) {
			break
		}
	}
	return client
}
