package csvfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestDecode(t *testing.T) {
	// 髙 and ① are CP932 extensions a plain JIS X 0208 table lacks; Excel on
	// a Japanese Windows writes them.
	const text = "address,name,department\r\nsato@corp.example,髙橋 ①,営業部\r\nx@corp.example,ｻﾄｳ,経理部\n"
	le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	for _, tc := range []struct {
		name string
		in   []byte
		want Encoding
	}{
		{"utf-8", []byte(text), UTF8},
		{"utf-8 with bom", append([]byte(bom8), text...), UTF8},
		{"shift_jis", encode(t, japanese.ShiftJIS, text), ShiftJIS},
		{"utf-16le", encode(t, le, text), UTF16LE},
		{"utf-16be", encode(t, be, text), UTF16BE},
		{"ascii", []byte("a,b\n1,2\n"), Unknown},
		{"no final line end", []byte("a,b\n営業,2"), UTF8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decode(bytes.NewReader(tc.in))
			got, err := io.ReadAll(d)
			if err != nil {
				t.Fatal(err)
			}
			want := text
			if tc.want == Unknown || tc.name == "no final line end" {
				want = strings.TrimPrefix(string(tc.in), bom8)
			}
			if string(got) != want {
				t.Errorf("got %q, want %q", got, want)
			}
			if d.Encoding() != tc.want {
				t.Errorf("encoding %q, want %q", d.Encoding(), tc.want)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	sjis := encode(t, japanese.ShiftJIS, "営業部\n")
	eucjp := encode(t, japanese.EUCJP, "a,b\nc,営業部の髙橋\n")
	for _, tc := range []struct {
		name string
		in   []byte
		line int
		says string
	}{
		{"euc-jp", eucjp, 2, "neither UTF-8 nor Shift_JIS"},
		{"shift_jis after utf-8", append([]byte("a\n営業部\nb\n"), sjis...), 4, "not valid UTF-8"},
		{"utf-8 after shift_jis", append(append([]byte("a\n"), sjis...), "営業部\n"...), 3, "not valid Shift_JIS"},
		{"bom, then not utf-8", append([]byte(bom8+"a\n"), sjis...), 2, "not valid UTF-8"},
		{"utf-16 without bom", []byte("a\x00,\x00b\x00\n\x00"), 1, "UTF-16 without a byte order mark"},
		{"utf-16 broken surrogate", []byte("\xff\xfea\x00\n\x00\x00\xd8\n\x00"), 2, "not valid UTF-16LE"},
		{"overlong line", append(bytes.Repeat([]byte("a"), MaxLine+10), '\n'), 1, "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := io.ReadAll(Decode(bytes.NewReader(tc.in)))
			var ee *EncodingError
			if !errors.As(err, &ee) {
				t.Fatalf("err %v, want an EncodingError", err)
			}
			if ee.Line != tc.line || !strings.Contains(ee.Error(), tc.says) {
				t.Errorf("got %q (line %d), want line %d saying %q", ee, ee.Line, tc.line, tc.says)
			}
			if strings.Count(err.Error(), "line ") != 1 {
				t.Errorf("error %q names its line more than once", err)
			}
		})
	}
}

// encoding/csv counts lines in what Decode hands it; they are the file's
// lines, whatever the encoding.
func TestLinesMatchCSV(t *testing.T) {
	in := encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "a,b\n\"x\ny\",z\n営業,部\n")
	r := csv.NewReader(Decode(bytes.NewReader(in)))
	var lines []int
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		l, _ := r.FieldPos(0)
		lines = append(lines, l)
	}
	if len(lines) != 3 || lines[1] != 2 || lines[2] != 4 {
		t.Errorf("record lines %v, want [1 2 4]", lines)
	}
}

func TestWriterStartsWithBOM(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.Flush()
	if b.Len() != 0 {
		t.Errorf("nothing written, yet %q", b.Bytes())
	}
	rows := [][]string{{"部署", "件数"}, {"営業部", "3"}, {"a,b", "\"q\""}}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte(bom8)) || bytes.Count(b.Bytes(), []byte(bom8)) != 1 {
		t.Fatalf("output %q does not start with one BOM", b.Bytes())
	}
	got, err := csv.NewReader(Decode(&b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) || got[0][0] != "部署" || got[2][0] != "a,b" || got[2][1] != "\"q\"" {
		t.Errorf("read back %q", got)
	}
}
