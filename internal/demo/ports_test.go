package demo

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
)

// A taken port is reported before the organisation is made and learned.
func TestRunSaysATakenPortFirst(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out bytes.Buffer
	_, err = Run(context.Background(), Options{Seed: 1, People: 50, Days: 30, Serve: true, SMTPAddr: "127.0.0.1:0", HTTPAddr: l.Addr().String(), Out: &out})
	if err == nil || !strings.Contains(err.Error(), l.Addr().String()) {
		t.Fatalf("err = %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("walked through before saying so: %q", out.String())
	}
}
