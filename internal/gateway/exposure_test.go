package gateway

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/smtpauth"
)

func TestCheckExposure(t *testing.T) {
	lan := netip.MustParsePrefix("10.0.0.0/8")
	hashed, err := smtpauth.Parse("users", []byte("mta:"+auth.HashPassword("correct horse battery")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		ip   string
		cfg  Config
		open bool
	}{
		{"loopback", "127.0.0.1", Config{}, false},
		{"loopback v6", "::1", Config{}, false},
		{"every address, nobody named", "0.0.0.0", Config{}, true},
		{"every v6 address, nobody named", "::", Config{}, true},
		{"a LAN address, nobody named", "10.1.2.3", Config{}, true},
		{"with networks", "0.0.0.0", Config{Networks: []netip.Prefix{lan}}, false},
		{"with AUTH", "0.0.0.0", Config{Auth: plainUsers{"mta": "x"}}, false},
		{"with an AUTH file", "0.0.0.0", Config{Auth: hashed}, false},
	} {
		err := CheckExposure(&net.TCPAddr{IP: net.ParseIP(tt.ip), Port: 2525}, tt.cfg)
		if (err != nil) != tt.open {
			t.Errorf("%s: %v", tt.name, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--network") {
			t.Errorf("%s: the refusal does not say what to set: %v", tt.name, err)
		}
	}
}

// ":2525" listens on every address.
func TestCheckExposureNoHost(t *testing.T) {
	a, err := net.ResolveTCPAddr("tcp", ":2525")
	if err != nil {
		t.Fatal(err)
	}
	if CheckExposure(a, Config{}) == nil {
		t.Error(":2525 with nobody named was allowed")
	}
}
