package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/misend/misend/internal/synth"
)

func benchMessage(charset string) string {
	body := strings.Repeat("お世話になっております。見積書を添付いたします。Please find the quote attached.\n", 20)
	if charset == "ISO-2022-JP" {
		body, _ = japanese.ISO2022JP.NewEncoder().String(body)
	}
	return "From: =?UTF-8?B?55Sw5Lit?= <t.tanaka@corp.example>\r\nTo: a@partner.example, \"B\" <b@partner.example>\r\nCc: c@corp.example\r\n" +
		"Subject: =?UTF-8?B?6KaL56mN5pu4?=\r\nDate: Mon, 2 Jan 2006 15:04:05 +0900\r\nMessage-ID: <abc@corp.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: text/plain; charset=" + charset + "\r\n\r\n" + body +
		"\r\n--BB\r\nContent-Type: application/pdf; name=q.pdf\r\nContent-Disposition: attachment; filename=q.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(make([]byte, 300)) + "\r\n--BB--\r\n"
}

func benchParse(b *testing.B, charset string) {
	raw := benchMessage(charset)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(strings.NewReader(raw), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B)          { benchParse(b, "UTF-8") }
func BenchmarkParseISO2022JP(b *testing.B) { benchParse(b, "ISO-2022-JP") }

// synthPool is a few thousand messages of the default synthetic
// organisation: the encodings and sizes of a Japanese office's mail.
func synthPool(b *testing.B, n int) (raws [][]byte, size int64) {
	b.Helper()
	o, err := synth.New(1, synth.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	errEnough := errors.New("enough")
	err = o.Messages(func(m *synth.Mail) error {
		if len(raws) == n {
			return errEnough
		}
		raws = append(raws, bytes.Clone(m.Bytes(synth.Sent)))
		size += int64(len(m.Raw))
		return nil
	})
	if err != errEnough {
		b.Fatal(err)
	}
	return raws, size
}

// BenchmarkParseSynth parses synthetic office mail, one message per op.
func BenchmarkParseSynth(b *testing.B) {
	raws, size := synthPool(b, 5000)
	b.SetBytes(size / int64(len(raws)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(bytes.NewReader(raws[i%len(raws)]), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's CPU time: on a shared machine it measures the
// work per op where wall time measures the neighbours too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
