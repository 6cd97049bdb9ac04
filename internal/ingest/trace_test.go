package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"

	"github.com/misend/misend/internal/mail"
)

// Message traces as Exchange and PowerShell save them on a Japanese
// Windows: UTF-16 with a byte order mark and a #TYPE line (Windows
// PowerShell's Export-Csv -Encoding Unicode), Shift_JIS (its default
// there), or UTF-8 from the portal; dates in the culture of the machine.
// All import the same messages, with Japanese subjects intact.
func TestMessageTraceEncodings(t *testing.T) {
	const trace = "#TYPE Deserialized.Microsoft.Exchange.Management.FfoReporting.Data.MessageTrace\r\n" +
		"\"Received\",\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\",\"Size\",\"MessageId\"\r\n" +
		"\"2026/1/5 9:03:12\",\"sato@corp.example\",\"tanaka@partner-a.example\",\"お見積もりの件（髙橋様）\",\"Delivered\",\"2048\",\"<q1@corp.example>\"\r\n" +
		"\"2026/1/5 9:03:12\",\"sato@corp.example\",\"suzuki@partner-a.example\",\"お見積もりの件（髙橋様）\",\"Delivered\",\"2048\",\"<q1@corp.example>\"\r\n" +
		"\"2026/12/24 17:30\",\"ueda@corp.example\",\"sato@corp.example\",\"①会議資料\",\"Delivered\",\"100\",\"<q2@corp.example>\"\r\n"
	enc := func(e encoding.Encoding) string {
		b, err := e.NewEncoder().String(trace)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct{ name, file string }{
		{"utf-16le", enc(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM))},
		{"utf-16be", enc(unicode.UTF16(unicode.BigEndian, unicode.UseBOM))},
		{"shift_jis", enc(japanese.ShiftJIS)},
		{"utf-8 with bom", "\uFEFF" + trace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "trace.csv"), tc.file)
			got := map[string]*mail.Message{}
			sum, err := Walk(context.Background(), []string{dir}, Options{Workers: 1}, func(src string, m *mail.Message) error {
				got[m.MessageID] = m
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Messages != 2 || len(sum.Skipped) != 0 {
				t.Fatalf("summary %+v", sum)
			}
			q1, q2 := got["q1@corp.example"], got["q2@corp.example"]
			if q1 == nil || q2 == nil {
				t.Fatalf("messages %v", got)
			}
			if q1.Subject != "お見積もりの件（髙橋様）" || len(q1.To) != 2 || q1.Size != 2048 || !q1.Date.Equal(time.Date(2026, 1, 5, 9, 3, 12, 0, time.UTC)) {
				t.Errorf("first message %+v", q1)
			}
			if q2.Subject != "①会議資料" || !q2.Date.Equal(time.Date(2026, 12, 24, 17, 30, 0, 0, time.UTC)) {
				t.Errorf("second message %+v", q2)
			}
		})
	}
}

// A row whose date is no date is skipped with its line, never imported as
// a message of the year 1; the rows around it import.
func TestMessageTraceBadDates(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "trace.csv"), "Received,SenderAddress,RecipientAddress,MessageId\n"+
		"1/5/2026 9:03:12 AM,a@corp.example,b@p.example,<1>\n"+ // 2
		"13/45/2026 99:00,a@corp.example,c@p.example,<2>\n"+ // 3
		"2026-02-30 10:00:00,a@corp.example,c@p.example,<3>\n"+ // 4
		",a@corp.example,c@p.example,<4>\n"+ // 5
		"2026-01-06T10:00:00Z,a@corp.example,d@p.example,<5>\n") // 6
	var ids []string
	sum, err := Walk(context.Background(), []string{dir}, Options{Workers: 1}, func(src string, m *mail.Message) error {
		ids = append(ids, m.MessageID)
		if m.Date.IsZero() {
			t.Errorf("message %s without a date", m.MessageID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "1,5" {
		t.Errorf("imported %v, want 1 and 5", ids)
	}
	if sum.Skipped[SkipCSVBadDate] != 3 || !strings.Contains(sum.Examples[SkipCSVBadDate], `line 3: "13/45/2026 99:00" is not a date`) {
		t.Errorf("skipped %v, example %q", sum.Skipped, sum.Examples[SkipCSVBadDate])
	}
}

// A trace in another encoding stops at the line that shows it, after the
// rows before it.
func TestMessageTraceOtherEncoding(t *testing.T) {
	dir := t.TempDir()
	euc, err := japanese.EUCJP.NewEncoder().String("2026-01-06T10:00:00Z,a@corp.example,d@p.example,会議,<2>\n")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "trace.csv"), "Received,SenderAddress,RecipientAddress,Subject,MessageId\n"+
		"2026-01-06T10:00:00Z,a@corp.example,b@p.example,x,<1>\n"+euc)
	var ids []string
	sum, err := Walk(context.Background(), []string{dir}, Options{Workers: 1}, func(src string, m *mail.Message) error {
		ids = append(ids, m.MessageID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "1" || sum.Skipped[SkipUnreadable] != 1 || !strings.Contains(sum.Examples[SkipUnreadable], "line 3: neither UTF-8 nor Shift_JIS") {
		t.Errorf("imported %v; skipped %v, example %q", ids, sum.Skipped, sum.Examples[SkipUnreadable])
	}
}
