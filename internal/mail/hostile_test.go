package mail

import (
	"fmt"
	"strings"
	"testing"
)

// hostile are shapes from DESIGN.md's hostile-MIME list; each must end in a
// clear error or a message within limits.
func hostile() map[string]string {
	var nest strings.Builder
	nest.WriteString("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 1; i <= 150; i++ {
		fmt.Fprintf(&nest, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
	}
	var many strings.Builder
	many.WriteString("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n")
	for i := 0; i < 3000; i++ {
		many.WriteString("--p\r\nContent-Type: text/plain\r\n\r\nx\r\n")
	}
	many.WriteString("--p--\r\n")
	return map[string]string{
		"deep nesting":       nest.String(),
		"thousands of parts": many.String(),
		"missing boundary":   "From: a@b.c\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhi\r\n",
		"long line":          "From: a@b.c\r\nSubject: " + strings.Repeat("あ", 3000) + "\r\n\r\n" + strings.Repeat("y", 5000) + "\r\n",
		"bad base64":         "From: a@b.c\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@====\r\n",
		"bad qp":             "From: a@b.c\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=4\r\n",
		"unknown charset":    "From: a@b.c\r\nSubject: =?x-klingon?Q?abc?=\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nabc\r\n",
		"unterminated jis":   "From: a@b.c\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B%F%9\r\n",
		"bad 2231":           "From: a@b.c\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*0*=zz''%F; filename*2=x\r\n\r\nx\r\n",
		"full-width":         "From: a@b.c\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nＮＤＡ\r\n",
	}
}

func TestParseHostile(t *testing.T) {
	for name, raw := range hostile() {
		t.Run(name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(raw), Limits{})
			switch name {
			case "deep nesting":
				if err == nil || !strings.Contains(err.Error(), "nesting") {
					t.Fatalf("err %v, want nesting error", err)
				}
				return
			case "thousands of parts":
				if err == nil || !strings.Contains(err.Error(), "parts") {
					t.Fatalf("err %v, want part count error", err)
				}
				return
			}
			if err != nil {
				t.Logf("refused: %v", err)
				return
			}
			if len(m.Text) > DefaultLimits.MaxTextBytes || m.From.Addr != "a@b.c" {
				t.Errorf("message %+v", m)
			}
			t.Logf("problems: %q", m.Problems)
		})
	}
}
