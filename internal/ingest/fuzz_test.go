package ingest

import (
	"bufio"
	"strings"
	"testing"
)

func FuzzMbox(f *testing.F) {
	f.Add("From a Mon\nFrom: x@y\n\n>From b\nFrom c\n\n")
	f.Add("From \r\n\r\nFrom ")
	f.Fuzz(func(t *testing.T, s string) {
		total := 0
		err := readMbox("f", bufio.NewReaderSize(strings.NewReader(s), 16), func(it *item) bool {
			total += len(it.raw)
			return true
		})
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
	f.Fuzz(func(t *testing.T, s string) {
		_ = readCSV("f.csv", bufio.NewReader(strings.NewReader(s)), func(it *item) bool {
			if it.msg != nil && (it.msg.From.Addr == "" || len(it.msg.To) == 0) {
				t.Errorf("message without addresses: %+v", it.msg)
			}
			return true
		})
	})
}
