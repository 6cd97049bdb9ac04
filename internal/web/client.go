package web

import (
	"net"
	"net/http"
)

// clientIP is the address of the client behind r, for throttles and the
// audit log.
func (w *Web) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
