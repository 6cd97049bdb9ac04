package attach

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zip"
	"golang.org/x/text/encoding/japanese"
)

// zipFile reads a ZIP container: an Office Open XML or OpenDocument file,
// else an archive whose files are read one by one.
func (r *reader) zipFile(at, ext string, data []byte, depth int) Kind {
	if n, ok := zipEntryCount(data); ok && n > r.lim.MaxEntries-r.entries {
		// Refused before archive/zip allocates a header per entry.
		r.problem(at, Bomb, "archive lists %d files, more than %d", n, r.lim.MaxEntries)
		r.halted = true
		return KindZIP
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		r.problem(at, Damaged, "ZIP: %v", err)
		return KindZIP
	}
	if len(zr.File) > r.lim.MaxEntries-r.entries {
		r.problem(at, Bomb, "archive holds %d files, more than %d", len(zr.File), r.lim.MaxEntries)
		r.halted = true
		return KindZIP
	}
	// The entries of this archive are read from data in place (entry);
	// an archive inside it sets its own, and this one's is back after.
	defer func(outer []byte) { r.zip = outer }(r.zip)
	r.zip = data
	z := zipIndex(zr)
	if z["[Content_Types].xml"] != nil {
		r.labels(at, z)
	}
	switch {
	case z["[Content_Types].xml"] != nil && z["word/document.xml"] != nil:
		r.docx(at, zr, z)
		return KindDOCX
	case z["[Content_Types].xml"] != nil && z["xl/workbook.xml"] != nil:
		r.xlsx(at, zr, z)
		return KindXLSX
	case z["[Content_Types].xml"] != nil && z["ppt/presentation.xml"] != nil:
		r.pptx(at, zr)
		return KindPPTX
	case z["META-INF/manifest.xml"] != nil && z["content.xml"] != nil:
		r.odf(at, z)
		return KindODF
	}
	r.archive(at, zr, depth)
	return KindZIP
}

func zipIndex(zr *zip.Reader) map[string]*zip.File {
	z := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		z[f.Name] = f
	}
	return z
}

// archive reads every file of a plain archive: its name on a line, then
// what it holds.
func (r *reader) archive(at string, zr *zip.Reader, depth int) {
	for _, f := range zr.File {
		if r.timeUp(at) || r.full {
			return
		}
		r.entries++
		name := entryName(f)
		if strings.HasSuffix(name, "/") {
			continue
		}
		p := join(at, name)
		r.res.Entries = append(r.res.Entries, p)
		r.writeString(name)
		r.newline()
		if f.Flags&1 != 0 {
			// The general-purpose flag's bit 0: a password protects it
			// (ZipCrypto or AES alike).
			r.encrypted(p)
			continue
		}
		data, ok := r.entry(p, f)
		if !ok {
			continue
		}
		r.read(p, name, "", data, depth+1)
		r.done(data)
	}
}

// entry decompresses one file of an archive within the limits. The octets
// are lent: the caller gives them back with r.done once nothing it keeps
// refers to them (what r.write keeps is a copy).
func (r *reader) entry(at string, f *zip.File) ([]byte, bool) {
	if f.Flags&1 != 0 {
		r.encrypted(at)
		return nil, false
	}
	buf := entryBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	declared := int64(min(f.UncompressedSize64, 1<<40))
	if comp, after, ok := r.deflated(f); ok {
		// klauspost/compress's inflater, as f.Open would give it, but
		// reading the octets in memory without a bufio.Reader and a
		// section of the archive in between, and kept for the next file.
		in := inflaters.Get().(*inflater)
		defer in.done()
		in.src.Reset(comp)
		if err := in.fr.(flate.Resetter).Reset(&in.src, nil); err != nil {
			r.problem(at, Damaged, "ZIP entry: %v", err)
			return nil, false
		}
		src := checked{f: f, r: in.fr, descriptor: after}
		return r.inflateTo(buf, at, &src, int64(len(comp)), declared)
	}
	rc, err := f.Open()
	if err != nil {
		r.problem(at, Damaged, "ZIP entry: %v", err)
		return nil, false
	}
	defer rc.Close()
	return r.inflateTo(buf, at, rc, int64(f.CompressedSize64), declared)
}

// deflated returns the compressed octets of f, a deflated file of the
// archive being read (r.zip), when they lie whole in it, and the octets
// after them, where a data descriptor may be; else f is read through
// f.Open.
func (r *reader) deflated(f *zip.File) (comp, after []byte, ok bool) {
	if f.Method != zip.Deflate || strings.HasSuffix(f.Name, "/") {
		return nil, nil, false
	}
	off, err := f.DataOffset()
	if err != nil || off < 0 || off > int64(len(r.zip)) || f.CompressedSize64 > uint64(int64(len(r.zip))-off) {
		return nil, nil, false
	}
	end := off + int64(f.CompressedSize64)
	return r.zip[off:end], r.zip[end:], true
}

// inflater is a klauspost/compress inflater and the reader of the octets
// it inflates, reset for each file: it holds a 32 KiB window and its
// tables, kept for the next file in inflaters.
type inflater struct {
	src bytes.Reader
	fr  io.ReadCloser
}

var inflaters = sync.Pool{New: func() any {
	in := new(inflater)
	in.fr = flate.NewReader(&in.src)
	return in
}}

// done gives the inflater back, holding on to no archive.
func (in *inflater) done() {
	in.src.Reset(nil)
	inflaters.Put(in)
}

// checked reads a file's inflated octets and holds them to its directory
// entry as f.Open's reader does (archive/zip's checksumReader): no more
// octets than its uncompressed size, exactly that many at the end, and
// their CRC-32 when the archive gives one, or the data descriptor's.
type checked struct {
	f          *zip.File
	r          io.Reader
	descriptor []byte // what follows the compressed octets in the archive
	n          uint64
	crc        uint32
	err        error
}

func (c *checked) Read(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(b)
	c.crc = crc32.Update(c.crc, crc32.IEEETable, b[:n])
	c.n += uint64(n)
	if c.n > c.f.UncompressedSize64 {
		return 0, zip.ErrFormat
	}
	if err == io.EOF {
		if c.n != c.f.UncompressedSize64 {
			// Short of its size: the last octets are not given, as
			// archive/zip does not give them.
			return 0, io.ErrUnexpectedEOF
		}
		err = c.end()
	}
	c.err = err
	return n, err
}

// end checks a file read to its end, all its octets there.
func (c *checked) end() error {
	switch {
	case c.f.Flags&8 != 0:
		// The data descriptor, its signature optional, must give the
		// directory's CRC-32, and the octets must have it.
		d := c.descriptor
		if len(d) >= 4 && binary.LittleEndian.Uint32(d) == 0x08074b50 {
			d = d[4:]
		}
		if len(d) < 12 {
			return io.ErrUnexpectedEOF
		}
		if binary.LittleEndian.Uint32(d) != c.f.CRC32 || c.crc != c.f.CRC32 {
			return zip.ErrChecksum
		}
	case c.f.CRC32 != 0 && c.crc != c.f.CRC32:
		return zip.ErrChecksum
	}
	return io.EOF
}

// entryBuffers spare the allocation (and zeroing) of a buffer the size of
// each document part: office XML runs to megabytes, and allocating it
// cost as much as scanning it.
var entryBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for reuse: a rare huge part must
// not stay in memory for the next message.
const maxPooled = 4 << 20

// done gives back what entry lent.
func (r *reader) done(data []byte) {
	if cap(data) == 0 || cap(data) > maxPooled {
		return
	}
	entryBuffers.Put(bytes.NewBuffer(data[:0]))
}

// entryName is a file's name in UTF-8: archives made on Japanese Windows
// write names in Shift_JIS without saying so.
func entryName(f *zip.File) string {
	if utf8.ValidString(f.Name) {
		return f.Name
	}
	if s, err := japanese.ShiftJIS.NewDecoder().String(f.Name); err == nil && utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(f.Name, "\uFFFD")
}

// zipEntryCount reads the number of entries from the end of central
// directory record, when there is one in the last 64 KiB.
func zipEntryCount(data []byte) (int, bool) {
	tail := data[max(0, len(data)-(65535+22)):]
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < 22 {
		return 0, false
	}
	n := int(binary.LittleEndian.Uint16(tail[i+10:]))
	if n == 0xFFFF {
		return 0, false // ZIP64: archive/zip reads the count, checked after
	}
	return n, true
}
