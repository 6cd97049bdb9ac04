package ingest

import (
	"bufio"
	"strings"
	"testing"

	"github.com/misend/misend/internal/mail"
)

func FuzzMbox(f *testing.F) {
	f.Add("From a Mon\nFrom: x@y\n\n>From b\nFrom c\n\n")
	f.Add("From \r\n\r\nFrom ")
	f.Fuzz(func(t *testing.T, s string) {
		total := 0
		r := reader{lim: mail.DefaultLimits, emit: func(it *item) bool {
			total += len(*it.raw)
			return true
		}}
		err := r.readMbox("f", bufio.NewReaderSize(strings.NewReader(s), 16))
		if err != nil {
			t.Fatal(err)
		}
		if total > len(s) {
			t.Errorf("split %d octets out of %d", total, len(s))
		}
	})
}

func FuzzCSV(f *testing.F) {
	f.Add("\uFEFFSenderAddress,RecipientAddress,MessageId\na@b,c@d,<1>\n\"bad,\"\"x\n")
	f.Add("sender_address,recipient_address\n,,,,\n")
	f.Add("\xff\xfe#\x00T\x00Y\x00P\x00E\x00\n\x00a\x00\n\x00")
	f.Add("#TYPE x\nReceived,SenderAddress,RecipientAddress\n13/45/2026 99:00,a@b,c@d\n2026/1/2 9:05,a@b,c@d\n")
	f.Add("SenderAddress,RecipientAddress,Subject\na@b,c@d,\x8c\x8f\x90\xcf\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows := strings.Count(s, "\n") + 1
		msgs, rcpts := 0, 0
		_ = readCSV("f.csv", bufio.NewReader(strings.NewReader(s)), func(it *item) bool {
			if it.msg != nil {
				msgs++
				rcpts += len(it.msg.To)
				if it.msg.From.Addr == "" || len(it.msg.To) == 0 {
					t.Errorf("message without addresses: %+v", it.msg)
				}
			} else if _, ok := reasons[it.skip]; !ok {
				t.Errorf("skip reason %q is not a known key", it.skip)
			}
			return true
		})
		if msgs > rows || rcpts > rows {
			t.Errorf("%d messages with %d recipients from %d lines", msgs, rcpts, rows)
		}
	})
}
