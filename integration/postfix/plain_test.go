package postfix

import (
	"bytes"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

func sendMail(t testing.TB, addr, from string, to []string, body string) error {
	t.Helper()
	return smtp.SendMail(addr, nil, from, to, []byte(strings.ReplaceAll(body, "\n", "\r\n")))
}

func TestPostfixToSink(t *testing.T) {
	snk := startSink(t)
	pf := StartPostfix(t, Options{Relay: snk.Addr})
	msg := "From: taro@corp.example\nTo: hanako@partner-a.example\nSubject: plain\nMessage-ID: <plain@corp.example>\n\nhello\n"
	if err := sendMail(t, pf.Addr, "taro@corp.example", []string{"hanako@partner-a.example"}, msg); err != nil {
		t.Fatal(err)
	}
	got := snk.wait(t, 20*time.Second)
	if got.From != "taro@corp.example" || len(got.To) != 1 || !bytes.Contains(got.Data, []byte("Message-ID: <plain@corp.example>")) {
		t.Fatalf("sink got %+v", got)
	}
}
