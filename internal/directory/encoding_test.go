package directory

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// A directory saved by Excel as "CSV" on a Japanese Windows is Shift_JIS
// (CP932, with its extensions such as 髙 and ㈱); as "CSV UTF-8" it starts
// with a byte order mark. Both import with the names as written.
func TestParseCSVOfficeEncodings(t *testing.T) {
	const sheet = "address,name,department,groups,roles\r\n" +
		"takahashi@corp.example,髙橋 一郎,営業第一部,新製品①,sender;approver\r\n" +
		"kana@corp.example,ｶﾅ ﾀﾛｳ,㈱本社 経理部,,sender\r\n"
	enc := func(e encoding.Encoding) []byte {
		b, err := e.NewEncoder().Bytes([]byte(sheet))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"shift_jis", enc(japanese.ShiftJIS)},
		{"utf-8 with bom", append([]byte("\xef\xbb\xbf"), sheet...)},
		{"utf-8", []byte(sheet)},
		{"utf-16le", enc(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "shift_jis" && bytes.Contains(tc.file, []byte("髙")) {
				t.Fatal("the test file is not Shift_JIS")
			}
			people, err := CSV{R: bytes.NewReader(tc.file)}.People(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(people) != 2 {
				t.Fatalf("%d people", len(people))
			}
			p, q := people[0], people[1]
			if p.Name != "髙橋 一郎" || p.Department != "営業第一部" || len(p.Groups) != 1 || p.Groups[0] != "新製品①" {
				t.Errorf("first person %+v", p)
			}
			if q.Name != "ｶﾅ ﾀﾛｳ" || q.Department != "㈱本社 経理部" {
				t.Errorf("second person %+v", q)
			}
		})
	}
}

// A file in another encoding (EUC-JP here) or mixing two is refused with
// the line to look at, and nothing is imported.
func TestParseCSVRefusesOtherEncodings(t *testing.T) {
	eucjp, err := japanese.EUCJP.NewEncoder().String("address,name,department,groups,roles\nsato@corp.example,佐藤 花子,営業部,,sender\n")
	if err != nil {
		t.Fatal(err)
	}
	sjis, err := japanese.ShiftJIS.NewEncoder().String("suzuki@corp.example,鈴木 一郎,営業部,,sender\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file string
		line       int
		says       string
	}{
		{"euc-jp", eucjp, 2, "neither UTF-8 nor Shift_JIS"},
		{"utf-8 then shift_jis", goodCSV + sjis, 6, "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			people, err := ParseCSV(strings.NewReader(tc.file))
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Rows) != 1 {
				t.Fatalf("got %d people, err %v; want one problem", len(people), err)
			}
			if r := ie.Rows[0]; r.Line != tc.line || !strings.Contains(r.Reason, tc.says) {
				t.Errorf("problem %v, want line %d saying %q", r, tc.line, tc.says)
			}
		})
	}
}
