package gateway

import (
	"fmt"
	"net"
)

// CheckExposure refuses a listener that would make misend an open relay:
// one reachable from other hosts (any address but loopback) while neither
// a list of client networks (Config.Networks) nor AUTH (Config.Auth) says
// who may send through it. Such a gateway relays anyone's mail to the
// upstream, which usually trusts it.
func CheckExposure(addr net.Addr, cfg Config) error {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || ta.IP != nil && ta.IP.IsLoopback() || len(cfg.Networks) > 0 || cfg.Auth != nil {
		return nil
	}
	return fmt.Errorf("refusing to accept SMTP on %s from anyone: other hosts can reach it, and neither "+
		"--network (the client networks allowed to relay) nor --auth-file (clients must log in) is set; "+
		"set one of them, or listen on a loopback address such as 127.0.0.1", addr)
}
