package attach

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/misend/misend/internal/mail"
)

// Limits bound what reading one attachment may cost. Nothing in an
// attachment is trusted: sizes are counted as octets come out, never taken
// from headers.
type Limits struct {
	MaxDepth      int   // archives and messages inside each other
	MaxEntries    int   // files inside archives, in total
	MaxRatio      int64 // decompressed octets per compressed octet of one file or stream
	MaxFileBytes  int64 // decompressed octets of one file or stream
	MaxTotalBytes int64 // decompressed octets in total
	MaxTextBytes  int   // text kept
	// Timeout bounds the reading of all the attachments of one message
	// (Fill), or of one attachment (Read).
	Timeout time.Duration
}

// DefaultLimits are used for zero fields. A 10 MB message of documents
// expands to far less than 64 MB; office XML compresses about 10:1, and a
// ratio above 200 in a file of more than a megabyte is a bomb, not a
// document. Reading stays inside the 2 s a decision may take.
var DefaultLimits = Limits{
	MaxDepth:      5,
	MaxEntries:    1000,
	MaxRatio:      200,
	MaxFileBytes:  32 << 20,
	MaxTotalBytes: 64 << 20,
	MaxTextBytes:  1 << 20,
	Timeout:       time.Second,
}

// ratioFloor is the decompressed size under which the ratio is not
// checked: a small file of blanks compresses a thousandfold and harms no
// one.
const ratioFloor = 1 << 20

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = d.MaxTextBytes
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// Reason says in one word why (part of) an attachment could not be read.
// The words are stable: they are finding arguments and catalogue keys
// (attachment.reason.<word>).
type Reason string

const (
	Damaged     Reason = "damaged"     // not what its kind says it is
	TooLarge    Reason = "too_large"   // past MaxFileBytes, MaxTotalBytes or MaxTextBytes
	Bomb        Reason = "bomb"        // expands past MaxRatio, or more than MaxEntries files
	TooDeep     Reason = "too_deep"    // nested past MaxDepth
	Unsupported Reason = "unsupported" // a kind this package does not read
	Timeout     Reason = "timeout"     // Limits.Timeout passed
)

// Problem is one part of an attachment that could not be read.
type Problem struct {
	Path   string // "." for the attachment itself, else the path inside it
	Reason Reason
	Detail string // in English, for operators and logs
}

func (p Problem) String() string { return p.Path + ": " + string(p.Reason) + ": " + p.Detail }

// Kind names what an attachment was read as.
type Kind string

const (
	KindText    Kind = "text"
	KindHTML    Kind = "html"
	KindRTF     Kind = "rtf"
	KindPDF     Kind = "pdf"
	KindDOCX    Kind = "docx"
	KindXLSX    Kind = "xlsx"
	KindPPTX    Kind = "pptx"
	KindODF     Kind = "odf"
	KindZIP     Kind = "zip"
	KindMessage Kind = "message"
	KindOffice  Kind = "office-binary" // OLE compound file: legacy or encrypted Office
	KindMedia   Kind = "media"         // images, audio, video: no text to read
	KindOther   Kind = "other"
)

// Result is what came out of one attachment.
type Result struct {
	Kind Kind
	// Text is the text of the attachment and everything inside it, with
	// the names of files inside archives and messages on lines of their
	// own; capped at Limits.MaxTextBytes.
	Text string
	// Lead is the first page, sheet or slide: where a document names whom
	// it is for. For kinds without pages, the start of Text.
	Lead string
	// Encrypted lists the parts that need a password: "." for the
	// attachment itself, else paths inside it.
	Encrypted []string
	Problems  []Problem
	// Labels are the sensitivity labels of the Office documents read, the
	// attachment's own and those of documents inside it.
	Labels []mail.SensitivityLabel
	// Entries are the paths of the files inside archives, as Problem
	// names them ("b.xlsx", "b.zip/c.xlsx"), directories left out: their
	// names carry tags (【社外秘】見積.xlsx) as attachment names do.
	Entries []string
}

// leadCap bounds Lead for kinds without pages: about a printed page.
const leadCap = 4 << 10

// Read reads the text out of one attachment, named name (its file name,
// for the kind when the content does not tell) with MIME type ctype.
func Read(ctx context.Context, name, ctype string, data []byte, lim Limits) Result {
	lim = lim.withDefaults()
	r := newReader(ctx, lim, time.Now().Add(lim.Timeout))
	return r.result(name, ctype, data)
}

// reader holds the budget of one attachment while it is read.
type reader struct {
	ctx      context.Context
	lim      Limits
	deadline time.Time
	total    int64 // decompressed octets so far
	entries  int
	text     []byte
	leadEnd  int // len(text) when the first page ended; -1 before
	full     bool
	res      Result
	expired  bool
	halted   bool   // a bomb was found: read no further
	zip      []byte // the archive whose files entry reads
}

func newReader(ctx context.Context, lim Limits, deadline time.Time) *reader {
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	r := &reader{ctx: ctx, lim: lim, deadline: deadline, leadEnd: -1}
	if b, ok := textBuffers.Get().(*[]byte); ok {
		r.text = (*b)[:0]
	}
	return r
}

// textBuffers hold the text of one attachment while it is read; Result
// keeps a copy (a string), so the buffer serves the next attachment
// instead of growing anew.
var textBuffers sync.Pool

func (r *reader) result(name, ctype string, data []byte) Result {
	r.res.Kind = r.read(".", name, ctype, data, 0)
	// Damaged XML or PDF strings may carry stray octets; matching wants
	// valid UTF-8.
	if validUTF8(r.text) {
		r.res.Text = string(r.text) // the usual case, without ToValidUTF8's second pass
	} else {
		r.res.Text = strings.ToValidUTF8(string(r.text), "\uFFFD")
	}
	if cap(r.text) > 0 && cap(r.text) <= maxPooled {
		b := r.text[:0]
		textBuffers.Put(&b)
	}
	r.text = nil
	if r.leadEnd > len(r.res.Text) {
		r.leadEnd = -1
	}
	switch {
	case r.leadEnd >= 0:
		r.res.Lead = r.res.Text[:r.leadEnd]
	case len(r.res.Text) > leadCap:
		// Cut where a character starts: the text is UTF-8, and the
		// lead needs no copy of its own.
		n := leadCap
		for n > 0 && !utf8.RuneStart(r.res.Text[n]) {
			n--
		}
		r.res.Lead = r.res.Text[:n]
	default:
		r.res.Lead = r.res.Text
	}
	return r.res
}

// timeUp reports (once) that the time is over.
func (r *reader) timeUp(at string) bool {
	if r.expired || r.halted {
		return true
	}
	if r.ctx.Err() != nil || time.Now().After(r.deadline) {
		r.expired = true
		r.problem(at, Timeout, "reading stopped: time limit reached")
	}
	return r.expired
}

func (r *reader) problem(at string, why Reason, format string, args ...any) {
	if len(r.res.Problems) < 20 {
		r.res.Problems = append(r.res.Problems, Problem{Path: at, Reason: why, Detail: fmt.Sprintf(format, args...)})
	}
}

func (r *reader) encrypted(at string) {
	if len(r.res.Encrypted) < 100 {
		r.res.Encrypted = append(r.res.Encrypted, at)
	}
}

// write adds text, up to MaxTextBytes.
func (r *reader) write(s []byte) {
	if r.full || len(s) == 0 {
		return
	}
	r.text = append(r.text, r.fit(s)...)
}

// fit is s, or as much of it as there is room for after the text.
func (r *reader) fit(s []byte) []byte {
	if room := r.lim.MaxTextBytes - len(r.text); len(s) > room {
		s = s[:room]
		for len(s) > 0 && !utf8.Valid(s[max(0, len(s)-utf8.UTFMax):]) {
			s = s[:len(s)-1]
		}
		r.full = true
		r.problem(".", TooLarge, "text beyond %d octets not read", r.lim.MaxTextBytes)
	}
	return s
}

// commit keeps what was appended to the text in place, t[len(r.text):],
// as write would have kept it.
func (r *reader) commit(t []byte) {
	n := len(r.text)
	r.text = t[:n]
	if r.full || len(t) == n {
		return
	}
	r.text = t[:n+len(r.fit(t[n:]))]
}

func (r *reader) writeString(s string) { r.write([]byte(s)) }

// newline ends a line unless the text already ends one.
func (r *reader) newline() {
	if n := len(r.text); n > 0 && r.text[n-1] != '\n' {
		r.write([]byte{'\n'})
	}
}

// endLead marks the end of the first page, sheet or slide.
func (r *reader) endLead() {
	if r.leadEnd < 0 {
		r.leadEnd = len(r.text)
	}
}

// inflate reads what src decompresses to, for the file at, compressed
// from compressed octets (declared: what the file says it expands to),
// within the file, total and ratio limits.
func (r *reader) inflate(at string, src io.Reader, compressed, declared int64) ([]byte, bool) {
	return r.inflateTo(new(bytes.Buffer), at, src, compressed, declared)
}

// inflateTo is inflate into buf, which the octets returned belong to.
func (r *reader) inflateTo(buf *bytes.Buffer, at string, src io.Reader, compressed, declared int64) ([]byte, bool) {
	limit := min(r.lim.MaxFileBytes, r.lim.MaxTotalBytes-r.total)
	byRatio := max(ratioFloor, r.lim.MaxRatio*max(compressed, 1))
	limit = min(limit, byRatio)
	// The declared size spares regrowing; it is a hint, never trusted
	// past the limit.
	buf.Grow(int(min(max(declared, 0), limit) + bytes.MinRead))
	n, err := buf.ReadFrom(io.LimitReader(src, limit+1))
	r.total += n
	switch {
	case n > limit && limit == byRatio:
		r.problem(at, Bomb, "expands more than %d times", r.lim.MaxRatio)
		// A bomb is hostile: nothing after it is worth the time.
		r.halted = true
		return nil, false
	case n > limit:
		r.problem(at, TooLarge, "expands past the limit of %d octets", limit)
		return nil, false
	case err != nil:
		r.problem(at, Damaged, "decompression: %v", err)
		return buf.Bytes(), false
	}
	return buf.Bytes(), true
}

// Signatures of the kinds read by content.
var (
	sigZip   = []byte("PK\x03\x04")
	sigZip0  = []byte("PK\x05\x06") // an empty archive
	sigPDF   = []byte("%PDF-")
	sigCFB   = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
	sigRTF   = []byte(`{\rtf`)
	sig7z    = []byte("7z\xBC\xAF\x27\x1C")
	sigRAR   = []byte("Rar!\x1A\x07")
	sigGzip  = []byte("\x1F\x8B")
	sigPNG   = []byte("\x89PNG")
	sigJPEG  = []byte("\xFF\xD8\xFF")
	sigGIF   = []byte("GIF8")
	sigLZH   = []byte("-lh")
	sigBZip2 = []byte("BZh")
)

// read reads one attachment or one file inside one, at path at, and
// returns what it was read as.
func (r *reader) read(at, name, ctype string, data []byte, depth int) Kind {
	if depth > r.lim.MaxDepth {
		r.problem(at, TooDeep, "nested more than %d levels deep", r.lim.MaxDepth)
		return KindOther
	}
	if r.timeUp(at) || r.full {
		return KindOther
	}
	ext := strings.ToLower(path.Ext(name))
	ctype = strings.ToLower(ctype)
	switch {
	case bytes.HasPrefix(data, sigZip), bytes.HasPrefix(data, sigZip0):
		return r.zipFile(at, ext, data, depth)
	case bytes.HasPrefix(data, sigPDF) || (ext == ".pdf" && bytes.Contains(data[:min(len(data), 1024)], sigPDF)):
		r.pdf(at, data)
		return KindPDF
	case bytes.HasPrefix(data, sigCFB):
		r.compoundFile(at, data)
		return KindOffice
	case bytes.HasPrefix(data, sigRTF):
		r.rtf(at, data)
		return KindRTF
	case ctype == "message/rfc822" || ext == ".eml":
		r.message(at, data, depth)
		return KindMessage
	case bytes.HasPrefix(data, sig7z), bytes.HasPrefix(data, sigRAR), bytes.HasPrefix(data, sigGzip),
		bytes.HasPrefix(data, sigBZip2), len(data) > 5 && bytes.HasPrefix(data[2:], sigLZH):
		r.problem(at, Unsupported, "archive format not read (7z, RAR, gzip, bzip2 or LZH)")
		return KindOther
	case strings.HasPrefix(ctype, "image/"), strings.HasPrefix(ctype, "audio/"), strings.HasPrefix(ctype, "video/"),
		bytes.HasPrefix(data, sigPNG), bytes.HasPrefix(data, sigJPEG), bytes.HasPrefix(data, sigGIF):
		return KindMedia
	case len(data) == 0:
		return KindText
	case ctype == "text/html" || ext == ".html" || ext == ".htm" || looksHTML(data):
		s, _ := decodeText(data)
		r.writeString(mail.HTMLText(s))
		r.newline()
		return KindHTML
	case strings.HasPrefix(ctype, "text/") || textExt[ext] || looksText(data):
		s, _ := decodeText(data)
		r.writeString(s)
		r.newline()
		return KindText
	}
	r.problem(at, Unsupported, "file type not read (%s)", kindHint(ext, ctype))
	return KindOther
}

func kindHint(ext, ctype string) string {
	switch {
	case ext != "":
		return ext
	case ctype != "":
		return ctype
	}
	return "unknown"
}

var textExt = map[string]bool{
	".txt": true, ".csv": true, ".tsv": true, ".md": true, ".log": true, ".json": true,
	".xml": true, ".ini": true, ".yaml": true, ".yml": true, ".sql": true, ".vcf": true, ".ics": true,
}

func looksHTML(b []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(b[:min(len(b), 512)]))
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// looksText reports text by its first 4 KB: no control octets but blanks
// and escapes (ISO-2022-JP), or UTF-16 with a byte order mark.
func looksText(b []byte) bool {
	if bytes.HasPrefix(b, bomUTF16LE) || bytes.HasPrefix(b, bomUTF16BE) {
		return true
	}
	for _, c := range b[:min(len(b), 4096)] {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b {
			return false
		}
	}
	return true
}

// compoundFile reads an OLE compound file: the container of legacy Office
// files and of Office files saved with a password (an EncryptedPackage
// stream, MS-OFFCRYPTO). The legacy formats are not read.
func (r *reader) compoundFile(at string, data []byte) {
	if bytes.Contains(data, utf16LE("EncryptedPackage")) {
		r.encrypted(at)
		return
	}
	r.problem(at, Unsupported, "legacy Office binary format (.doc, .xls, .ppt) not read")
}

func utf16LE(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// join makes the path of a file inside the one at at.
func join(at, name string) string {
	if at == "." {
		return name
	}
	return at + "/" + name
}
