// Package csvfile reads CSV files as offices save them and writes CSV that
// Excel opens as UTF-8.
//
// Decode turns a file in UTF-8 (with or without Excel's byte order mark),
// Shift_JIS as Windows writes it (CP932, with the NEC and IBM extensions)
// or UTF-16 with a byte order mark (what Exchange and PowerShell export)
// into UTF-8, line by line, and stops at the first line in none of them
// with an *EncodingError naming that line. NewWriter starts a CSV with the
// UTF-8 byte order mark, without which Excel on a Japanese Windows reads
// UTF-8 as Shift_JIS.
//
// It does not guess further encodings (EUC-JP, ISO-2022-JP, Latin-1: a
// file in one is refused, not converted to mojibake), does not accept
// UTF-16 without a byte order mark, and does not parse CSV: callers keep
// their own encoding/csv settings and column rules.
package csvfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding is what a file turned out to be written in.
type Encoding string

const (
	Unknown  Encoding = ""          // nothing but ASCII so far
	UTF8     Encoding = "UTF-8"     //
	ShiftJIS Encoding = "Shift_JIS" // CP932
	UTF16LE  Encoding = "UTF-16LE"  // with a byte order mark
	UTF16BE  Encoding = "UTF-16BE"  // with a byte order mark
)

// MaxLine bounds one physical line: a file without line ends must not be
// read into memory whole.
const MaxLine = 1 << 20

// EncodingError is a line that is not text in the file's encoding.
type EncodingError struct {
	Line   int // 1-based physical line
	Reason string
	// Mixed: the lines before it are text in an encoding it is not in.
	Mixed bool
}

func (e *EncodingError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Reader is a file decoded to UTF-8.
type Reader struct {
	src  *bufio.Reader
	enc  Encoding
	line int    // lines read so far
	buf  []byte // decoded, not yet handed out; may point into src's buffer
	err  error  // sticky, after buf is drained
	conv []byte // Shift_JIS decoded
}

const (
	bom8    = "\xef\xbb\xbf"
	bom16LE = "\xff\xfe"
	bom16BE = "\xfe\xff"
)

// Decode returns r's text as UTF-8 without a byte order mark. Which of
// UTF-8 and Shift_JIS a file is in is settled by its first line that is
// not ASCII; a later line in the other fails.
func Decode(r io.Reader) *Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	d := &Reader{src: br}
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte(bom8)):
		br.Discard(3)
		d.enc = UTF8
	case bytes.HasPrefix(head, []byte(bom16LE)), bytes.HasPrefix(head, []byte(bom16BE)):
		// UTF-16 lines end in two octets; decode the whole stream first and
		// check its lines as UTF-8 afterwards.
		order, enc := unicode.LittleEndian, UTF16LE
		if head[0] == 0xfe {
			order, enc = unicode.BigEndian, UTF16BE
		}
		dec := unicode.UTF16(order, unicode.ExpectBOM).NewDecoder()
		d.src = bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10)
		d.enc = enc
	}
	return d
}

// Encoding is what the lines read so far were written in.
func (d *Reader) Encoding() Encoding { return d.enc }

// Read implements io.Reader.
func (d *Reader) Read(p []byte) (int, error) {
	for len(d.buf) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		d.next()
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

// next decodes one physical line into buf, or sets err.
func (d *Reader) next() {
	line, err := d.src.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		line, err = d.long(line)
	}
	if len(line) > 0 {
		d.line++
		if e := d.decode(line); e != nil {
			d.buf, d.err = nil, e
			return
		}
	}
	if err != nil {
		d.err = err
		var ee *EncodingError
		if !errors.Is(err, io.EOF) && !errors.As(err, &ee) {
			d.err = fmt.Errorf("line %d: %w", d.line+1, err)
		}
	}
}

// long gathers a line longer than the buffer, up to MaxLine.
func (d *Reader) long(first []byte) ([]byte, error) {
	l := append([]byte(nil), first...)
	for {
		more, err := d.src.ReadSlice('\n')
		l = append(l, more...)
		if len(l) > MaxLine {
			return nil, &EncodingError{Line: d.line + 1, Reason: fmt.Sprintf("longer than %d octets (an unterminated quote, or not a text file?)", MaxLine)}
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return l, err
		}
	}
}

func (d *Reader) decode(line []byte) error {
	if isASCII(line) {
		if d.enc == UTF16LE || d.enc == UTF16BE || bytes.IndexByte(line, 0) < 0 {
			// Handed out whole before the next read, so src's buffer may
			// back it without a copy.
			d.buf = line
			return nil
		}
		// NUL octets in an 8-bit file: UTF-16 saved without its mark.
		return &EncodingError{Line: d.line, Reason: "UTF-16 without a byte order mark (save it as UTF-8, or as Unicode text with the mark)"}
	}
	switch d.enc {
	case Unknown:
		if utf8.Valid(line) {
			d.enc = UTF8
		} else if s, ok := fromShiftJIS(d.conv[:0], line); ok {
			d.enc, d.conv, d.buf = ShiftJIS, s, s
			return nil
		} else {
			return &EncodingError{Line: d.line, Reason: "neither UTF-8 nor Shift_JIS text (save the file as CSV UTF-8 or CSV)"}
		}
		fallthrough
	case UTF8, UTF16LE, UTF16BE:
		// A UTF-16 file decodes a broken surrogate to U+FFFD; a UTF-8
		// file may hold U+FFFD itself, which is text.
		if !utf8.Valid(line) || (d.enc != UTF8 && bytes.Contains(line, []byte("\uFFFD"))) {
			return &EncodingError{Line: d.line, Reason: fmt.Sprintf("not valid %s, as the lines before it are (save the whole file in one encoding)", d.enc), Mixed: true}
		}
		d.buf = line
	case ShiftJIS:
		// Most Japanese UTF-8 also decodes as Shift_JIS (to other
		// characters), while Shift_JIS text is almost never valid UTF-8:
		// a UTF-8 line here is a second encoding, not mojibake to import.
		s, ok := fromShiftJIS(d.conv[:0], line)
		if !ok || utf8.Valid(line) {
			return &EncodingError{Line: d.line, Reason: "not valid Shift_JIS, as the lines before it are (save the whole file in one encoding)", Mixed: true}
		}
		d.conv, d.buf = s, s
	}
	return nil
}

// fromShiftJIS decodes one line; the decoder writes U+FFFD for what is not
// Shift_JIS, and Shift_JIS has no U+FFFD of its own, so one means a bad
// line.
func fromShiftJIS(dst, line []byte) ([]byte, bool) {
	out, _, err := transform.Append(japanese.ShiftJIS.NewDecoder(), dst, line)
	if err != nil || bytes.Contains(out, []byte("\uFFFD")) {
		return dst, false
	}
	return out, true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NewWriter returns a CSV writer whose output starts with the UTF-8 byte
// order mark (written with the first record, so a writer that writes
// nothing writes nothing).
func NewWriter(w io.Writer) *csv.Writer {
	return csv.NewWriter(&bomWriter{w: w})
}

type bomWriter struct {
	w    io.Writer
	done bool
}

func (b *bomWriter) Write(p []byte) (int, error) {
	if !b.done {
		b.done = true
		if _, err := io.WriteString(b.w, bom8); err != nil {
			return 0, err
		}
	}
	return b.w.Write(p)
}
