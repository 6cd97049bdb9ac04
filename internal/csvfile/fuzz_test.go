package csvfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// Whatever a file holds, Decode hands out valid UTF-8 or an error naming a
// line, and leaves a UTF-8 file as it was.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"", "a,b\n", bom8 + "営業部,佐藤\n", "\x89\x63\x8b\xc6\x95\x94\n", "\xff\xfea\x00\n\x00",
		"\xfe\xff\x00a\x00\n", "\xff\xfe\x00\xd8", "a\x00b\n", "\x81", "\x8e\xc4\r\n\xa4\xa2\n",
		"a\n\xe5\x96\xb6\n\x89\x63\n", "\"x\ny\",z\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d := Decode(bytes.NewReader(in))
		out, err := io.ReadAll(d)
		if err != nil {
			var ee *EncodingError
			if !errors.As(err, &ee) || ee.Line < 1 {
				t.Fatalf("error %v names no line", err)
			}
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 out of %q", in)
		}
		if d.Encoding() == UTF8 && !bytes.HasPrefix(in, []byte(bom8)) && !bytes.Equal(in, out) {
			t.Fatalf("UTF-8 changed: %q → %q", in, out)
		}
	})
}
