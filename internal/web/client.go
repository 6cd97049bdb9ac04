package web

import (
	"net/http"
)

// clientIP is the address of the client behind r, for throttles and the
// audit log: X-Forwarded-For is believed only from Options.TrustedProxies.
func (w *Web) clientIP(r *http.Request) string { return w.o.TrustedProxies.Of(r) }
