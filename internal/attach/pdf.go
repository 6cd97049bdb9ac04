package attach

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// This is a small PDF text reader, written for this job rather than taken
// from a library: the module proxy serves no well-kept pure-Go one. It
// reads what mail-borne PDFs from office suites and printers' drivers hold:
//
//   - objects found by scanning for "N G obj" (the cross-reference table is
//     not trusted: damaged and incrementally updated files abound), and
//     objects inside object streams (/Type /ObjStm);
//   - the page tree from the catalogue, in order, with inherited
//     resources; the fonts of each page and their ToUnicode CMaps;
//   - content streams without a filter or with FlateDecode;
//   - the text-showing operators Tj, TJ, ' and ", with a line break where
//     the text moves to another line.
//
// It does not read other filters (LZW, ASCII85, ...), Type3 fonts, fonts'
// built-in encodings or Differences arrays (codes of simple fonts are read
// as Windows-1252, which covers Latin text), form XObjects, annotations or
// form fields. When the page tree cannot be followed, every content-like
// stream is read in file order.

const (
	pdfMaxObjects = 200000
	pdfMaxPages   = 5000
)

type pdfRef struct{ num, gen int }

type pdfFile struct {
	r       *reader
	at      string
	data    []byte
	objs    map[int][]byte // object number → body (dictionary and stream)
	order   []int          // object numbers in file order
	cmaps   map[int]*cmap  // ToUnicode stream object → parsed CMap
	noMap   bool           // a composite font without a ToUnicode map was met
	filters bool           // a content stream with a filter not read was met
}

// pdf reads the text of a PDF file.
func (r *reader) pdf(at string, data []byte) {
	if bytes.Contains(data, []byte("/Encrypt")) {
		// Encrypted strings and streams cannot be read without the key;
		// whether a password is needed to open the file or only to edit
		// it, the content is not readable here.
		r.encrypted(at)
		return
	}
	p := &pdfFile{r: r, at: at, data: data, objs: map[int][]byte{}, cmaps: map[int]*cmap{}}
	p.index()
	if len(p.objs) == 0 {
		r.problem(at, Damaged, "PDF: no objects found")
		return
	}
	p.objectStreams()
	pages := p.pages()
	if len(pages) == 0 {
		p.allContent()
	}
	for i, pg := range pages {
		if r.timeUp(at) || r.full {
			return
		}
		fonts := p.fonts(pg.resources)
		for _, c := range p.contents(pg.dict) {
			if s, ok := p.stream(c); ok {
				p.showText(s, fonts)
			}
		}
		r.newline()
		if i == 0 {
			r.endLead()
		}
	}
	if p.noMap {
		r.problem(at, Unsupported, "PDF: text in a font without a Unicode map not read")
	}
	if p.filters {
		r.problem(at, Unsupported, "PDF: content compressed other than with Flate not read")
	}
}

// index finds every "N G obj" and the body up to its "endobj".
func (p *pdfFile) index() {
	d := p.data
	for pos := 0; pos < len(d) && len(p.order) < pdfMaxObjects; {
		k := bytes.Index(d[pos:], []byte("obj"))
		if k < 0 {
			return
		}
		at := pos + k
		pos = at + 3
		if at >= 3 && bytes.Equal(d[at-3:at], []byte("end")) {
			continue
		}
		if pos < len(d) && !isPDFDelim(d[pos]) {
			continue
		}
		num, ok := objHeader(d[:at])
		if !ok {
			continue
		}
		end := p.objectEnd(pos)
		if _, seen := p.objs[num]; !seen {
			p.order = append(p.order, num)
		}
		p.objs[num] = d[pos:end] // a later revision replaces an earlier one
		pos = end
	}
}

// objectEnd finds the end of an object body starting at pos: past a stream's
// "endstream" first, since binary stream data may hold anything.
func (p *pdfFile) objectEnd(pos int) int {
	d := p.data
	e := bytes.Index(d[pos:], []byte("endobj"))
	s := bytes.Index(d[pos:], []byte("stream"))
	if s >= 0 && (e < 0 || s < e) {
		if es := bytes.Index(d[pos+s+6:], []byte("endstream")); es >= 0 {
			after := pos + s + 6 + es + 9
			if e2 := bytes.Index(d[after:], []byte("endobj")); e2 >= 0 {
				return after + e2
			}
			return after
		}
	}
	if e < 0 {
		return len(d)
	}
	return pos + e
}

// objHeader reads "N G " backwards from the end of before.
func objHeader(before []byte) (int, bool) {
	i := len(before)
	skipWS := func() {
		for i > 0 && isPDFSpace(before[i-1]) {
			i--
		}
	}
	digits := func() (int, bool) {
		end := i
		for i > 0 && before[i-1] >= '0' && before[i-1] <= '9' && end-i < 10 {
			i--
		}
		if i == end {
			return 0, false
		}
		n, err := strconv.Atoi(string(before[i:end]))
		return n, err == nil
	}
	skipWS()
	if _, ok := digits(); !ok {
		return 0, false
	}
	if i == 0 || !isPDFSpace(before[i-1]) {
		return 0, false
	}
	skipWS()
	num, ok := digits()
	if !ok || (i > 0 && !isPDFDelim(before[i-1])) {
		return 0, false
	}
	return num, true
}

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isPDFDelim(c byte) bool {
	return isPDFSpace(c) || c == '<' || c == '>' || c == '[' || c == ']' || c == '(' || c == ')' || c == '/' || c == '%' || c == '{' || c == '}'
}

// objectStreams adds the objects compressed inside object streams.
func (p *pdfFile) objectStreams() {
	for _, num := range p.order {
		obj := p.objs[num]
		dict := dictOf(obj)
		if !bytes.Contains(dict, []byte("/ObjStm")) {
			continue
		}
		s, ok := p.streamOf(obj)
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(string(dictGet(dict, "N")))
		first, _ := strconv.Atoi(string(dictGet(dict, "First")))
		if n <= 0 || first <= 0 || first > len(s) || n > pdfMaxObjects-len(p.order) {
			continue
		}
		head := pdfFields(s[:first], 2*n)
		for i := 0; i+1 < len(head); i += 2 {
			onum, err1 := strconv.Atoi(string(head[i]))
			off, err2 := strconv.Atoi(string(head[i+1]))
			if err1 != nil || err2 != nil || off < 0 || first+off > len(s) {
				continue
			}
			end := len(s)
			if i+3 < len(head) {
				if next, err := strconv.Atoi(string(head[i+3])); err == nil && first+next <= len(s) && next >= off {
					end = first + next
				}
			}
			if _, seen := p.objs[onum]; !seen {
				p.objs[onum] = s[first+off : end]
				p.order = append(p.order, onum)
			}
		}
	}
}

// pdfFields splits b at blanks, at most n fields.
func pdfFields(b []byte, n int) [][]byte {
	var out [][]byte
	for i := 0; i < len(b) && len(out) < n; {
		for i < len(b) && isPDFSpace(b[i]) {
			i++
		}
		start := i
		for i < len(b) && !isPDFSpace(b[i]) {
			i++
		}
		if i > start {
			out = append(out, b[start:i])
		}
	}
	return out
}

type pdfPage struct {
	dict      []byte
	resources []byte
}

// pages walks the page tree from the catalogue, in order.
func (p *pdfFile) pages() []pdfPage {
	var root []byte
	for _, num := range p.order {
		if d := dictOf(p.objs[num]); isType(d, "Catalog") {
			root = p.resolve(dictGet(d, "Pages"))
			break
		}
	}
	if root == nil {
		return nil
	}
	var out []pdfPage
	seen := map[int]bool{}
	var walk func(node []byte, res []byte, depth int)
	walk = func(node []byte, res []byte, depth int) {
		if depth > 64 || len(out) >= pdfMaxPages {
			return
		}
		d := dictOf(node)
		if r := dictGet(d, "Resources"); r != nil {
			res = p.resolve(r)
		}
		kids := dictGet(d, "Kids")
		if kids == nil {
			if isType(d, "Page") || dictGet(d, "Contents") != nil {
				out = append(out, pdfPage{dict: d, resources: res})
			}
			return
		}
		for _, ref := range refs(kids) {
			if seen[ref.num] {
				continue
			}
			seen[ref.num] = true
			if kid, ok := p.objs[ref.num]; ok {
				walk(kid, res, depth+1)
			}
		}
	}
	walk(root, nil, 0)
	return out
}

// contents are the content streams of a page, in order.
func (p *pdfFile) contents(page []byte) [][]byte {
	v := dictGet(page, "Contents")
	var out [][]byte
	for _, ref := range refs(v) {
		obj, ok := p.objs[ref.num]
		if !ok {
			continue
		}
		if d := bytes.TrimSpace(obj); len(d) > 0 && d[0] == '[' {
			// An indirect array of streams.
			for _, r2 := range refs(d) {
				if o, ok := p.objs[r2.num]; ok {
					out = append(out, o)
				}
			}
			continue
		}
		out = append(out, obj)
	}
	return out
}

// allContent reads every stream that shows text, in file order, without
// fonts: for files whose page tree is broken.
func (p *pdfFile) allContent() {
	for _, num := range p.order {
		if p.r.timeUp(p.at) || p.r.full {
			return
		}
		obj := p.objs[num]
		d := dictOf(obj)
		if isType(d, "ObjStm") || isType(d, "XRef") || bytes.Contains(d, []byte("/Subtype")) || bytes.Contains(d, []byte("/Length1")) {
			continue
		}
		if s, ok := p.stream(obj); ok && bytes.Contains(s, []byte("BT")) {
			p.showText(s, nil)
			p.r.newline()
		}
	}
}

// stream returns a content stream's decoded data.
func (p *pdfFile) stream(obj []byte) ([]byte, bool) {
	return p.streamOf(obj)
}

// streamOf returns the decoded data of the stream object obj: raw, or
// inflated when its filter is FlateDecode alone.
func (p *pdfFile) streamOf(obj []byte) ([]byte, bool) {
	d := dictOf(obj)
	k := bytes.Index(obj, []byte("stream"))
	if k < 0 || k < len(d) {
		return nil, false
	}
	s := obj[k+6:]
	if bytes.HasPrefix(s, []byte("\r\n")) {
		s = s[2:]
	} else if len(s) > 0 && (s[0] == '\n' || s[0] == '\r') {
		s = s[1:]
	}
	if n, err := strconv.Atoi(string(dictGet(d, "Length"))); err == nil && n >= 0 && n <= len(s) {
		s = s[:n]
	} else if e := bytes.LastIndex(s, []byte("endstream")); e >= 0 {
		s = bytes.TrimRight(s[:e], "\r\n")
	}
	filter := dictGet(d, "Filter")
	switch string(bytes.Trim(filter, "[] \r\n")) {
	case "":
		return s, true
	case "/FlateDecode", "/Fl":
	default:
		p.filters = true
		return nil, false
	}
	var out []byte
	var ok bool
	if zr, err := zlib.NewReader(bytes.NewReader(s)); err == nil {
		out, ok = p.r.inflate(p.at, zr, int64(len(s)), 4*int64(len(s)))
	} else {
		out, ok = p.r.inflate(p.at, flate.NewReader(bytes.NewReader(s)), int64(len(s)), 4*int64(len(s)))
	}
	// A stream cut short still shows the text before the cut.
	return out, ok || len(out) > 0
}

// dictOf returns the outermost dictionary at the start of obj ("<< … >>"),
// or nil.
func dictOf(obj []byte) []byte {
	i := 0
	for i < len(obj) && isPDFSpace(obj[i]) {
		i++
	}
	if !bytes.HasPrefix(obj[i:], []byte("<<")) {
		return nil
	}
	if end := balanced(obj[i:], '<'); end > 0 {
		return obj[i : i+end]
	}
	return obj[i:]
}

// balanced returns the length of the dictionary or array that b starts
// with, nested ones included, skipping strings; -1 if it does not close.
func balanced(b []byte, open byte) int {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '(':
			i = skipLiteral(b, i) - 1
		case open == '<' && c == '<' && i+1 < len(b) && b[i+1] == '<':
			depth++
			i++
		case open == '<' && c == '>' && i+1 < len(b) && b[i+1] == '>':
			depth--
			i++
			if depth == 0 {
				return i + 1
			}
		case open == '[' && c == '[':
			depth++
		case open == '[' && c == ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// skipLiteral returns the index after the literal string starting at b[i].
func skipLiteral(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(b)
}

// dictGet returns the value of /key in dictionary d: a name, a number, a
// reference ("12 0 R"), or a whole nested dictionary or array. The first
// /key followed by a delimiter wins, nested dictionaries included, which is
// what the keys read here need.
func dictGet(d []byte, key string) []byte {
	needle := []byte("/" + key)
	for pos := 0; pos < len(d); {
		k := bytes.Index(d[pos:], needle)
		if k < 0 {
			return nil
		}
		v := d[pos+k+len(needle):]
		pos += k + len(needle)
		if len(v) > 0 && !isPDFDelim(v[0]) {
			continue
		}
		i := 0
		for i < len(v) && isPDFSpace(v[i]) {
			i++
		}
		v = v[i:]
		switch {
		case bytes.HasPrefix(v, []byte("<<")):
			if end := balanced(v, '<'); end > 0 {
				return v[:end]
			}
			return v
		case len(v) > 0 && v[0] == '[':
			if end := balanced(v, '['); end > 0 {
				return v[:end]
			}
			return v
		case len(v) > 0 && v[0] == '/':
			end := 1
			for end < len(v) && !isPDFDelim(v[end]) {
				end++
			}
			return v[:end]
		}
		// A number, or a reference "N G R".
		f := pdfFields(v[:min(len(v), 40)], 3)
		if len(f) == 3 && bytes.HasPrefix(f[2], []byte("R")) {
			return bytes.TrimRight(v[:bytes.IndexByte(v, 'R')+1], "/<[")
		}
		if len(f) > 0 {
			end := 0
			for end < len(f[0]) && !isPDFDelim(f[0][end]) {
				end++
			}
			return f[0][:end]
		}
		return nil
	}
	return nil
}

func isType(d []byte, t string) bool {
	v := dictGet(d, "Type")
	return string(v) == "/"+t
}

// refs reads the references "N G R" in v (a reference or an array).
func refs(v []byte) []pdfRef {
	var out []pdfRef
	v = bytes.Map(func(r rune) rune {
		if r == '[' || r == ']' {
			return ' '
		}
		return r
	}, v)
	f := pdfFields(v, 1<<16)
	for i := 0; i+2 < len(f); i++ {
		if !bytes.Equal(f[i+2], []byte("R")) {
			continue
		}
		n, err1 := strconv.Atoi(string(f[i]))
		g, err2 := strconv.Atoi(string(f[i+1]))
		if err1 == nil && err2 == nil {
			out = append(out, pdfRef{n, g})
			i += 2
		}
	}
	return out
}

// resolve returns the object v refers to, or v itself when it is direct.
func (p *pdfFile) resolve(v []byte) []byte {
	if rs := refs(v); len(rs) == 1 && bytes.HasSuffix(bytes.TrimSpace(v), []byte("R")) {
		return p.objs[rs[0].num]
	}
	return v
}

// pdfFont is what text decoding needs of a font.
type pdfFont struct {
	cmap      *cmap
	composite bool // Type0: two-octet codes
}

// fonts maps the font names of a page's resources to their fonts.
func (p *pdfFile) fonts(resources []byte) map[string]*pdfFont {
	fd := p.resolve(dictGet(dictOf(resources), "Font"))
	if fd == nil {
		fd = p.resolve(dictGet(resources, "Font"))
	}
	d := dictOf(fd)
	out := map[string]*pdfFont{}
	if d == nil {
		return out
	}
	// Each entry is "/Name N G R" (or a direct dictionary, rare).
	inner := d[2 : len(d)-2]
	for i := 0; i < len(inner) && len(out) < 256; {
		k := bytes.IndexByte(inner[i:], '/')
		if k < 0 {
			break
		}
		i += k + 1
		end := i
		for end < len(inner) && !isPDFDelim(inner[end]) {
			end++
		}
		name := string(inner[i:end])
		rest := inner[end:]
		rs := refs(rest[:min(len(rest), 40)])
		i = end
		if len(rs) == 0 {
			continue
		}
		fobj := dictOf(p.objs[rs[0].num])
		f := &pdfFont{composite: string(dictGet(fobj, "Subtype")) == "/Type0"}
		if tu := refs(dictGet(fobj, "ToUnicode")); len(tu) > 0 {
			f.cmap = p.cmap(tu[0].num)
		}
		out[name] = f
		// Skip past the reference just read.
		if j := bytes.IndexByte(rest, 'R'); j >= 0 {
			i = end + j + 1
		}
	}
	return out
}

func (p *pdfFile) cmap(num int) *cmap {
	if c, ok := p.cmaps[num]; ok {
		return c
	}
	var c *cmap
	if s, ok := p.streamOf(p.objs[num]); ok {
		c = parseCMap(s)
	}
	p.cmaps[num] = c
	return c
}

// showText writes the text a content stream shows with fonts.
func (p *pdfFile) showText(content []byte, fonts map[string]*pdfFont) {
	lx := pdfLexer{b: content}
	var ops []pdfTok
	var font *pdfFont
	var out []byte
	lastY := []byte(nil)
	nl := func() {
		if n := len(out); n > 0 && out[n-1] != '\n' {
			out = append(out, '\n')
		}
	}
	for steps := 0; ; steps++ {
		if len(out) > 32<<10 {
			p.r.write(out)
			out = out[:0]
			if p.r.full {
				return
			}
		}
		t, ok := lx.next()
		if !ok {
			break
		}
		if t.kind != tokOp {
			if len(ops) < 64 {
				ops = append(ops, t)
			}
			continue
		}
		switch string(t.v) {
		case "Tf":
			if len(ops) >= 2 && ops[len(ops)-2].kind == tokName {
				font = fonts[string(ops[len(ops)-2].v)]
			}
		case "Tj":
			if len(ops) >= 1 {
				out = p.decode(out, ops[len(ops)-1], font)
			}
		case "'", "\"":
			nl()
			if len(ops) >= 1 {
				out = p.decode(out, ops[len(ops)-1], font)
			}
		case "TJ":
			if len(ops) >= 1 && ops[len(ops)-1].kind == tokArray {
				for _, e := range ops[len(ops)-1].items {
					if e.kind == tokNumber {
						// A wide negative adjustment is a gap between words.
						if n, err := strconv.ParseFloat(string(e.v), 64); err == nil && n < -180 {
							out = append(out, ' ')
						}
						continue
					}
					out = p.decode(out, e, font)
				}
			}
		case "Td", "TD":
			if len(ops) >= 2 {
				if y, err := strconv.ParseFloat(string(ops[len(ops)-1].v), 64); err == nil && y != 0 {
					nl()
				} else if n := len(out); n > 0 && out[n-1] != ' ' && out[n-1] != '\n' {
					out = append(out, ' ')
				}
			}
		case "T*":
			nl()
		case "Tm":
			if len(ops) >= 6 {
				y := ops[len(ops)-1].v
				if lastY != nil && !bytes.Equal(y, lastY) {
					nl()
				} else if n := len(out); n > 0 && out[n-1] != ' ' && out[n-1] != '\n' {
					out = append(out, ' ')
				}
				lastY = y
			}
		case "ET":
			if n := len(out); n > 0 && out[n-1] != ' ' && out[n-1] != '\n' {
				out = append(out, ' ')
			}
		}
		ops = ops[:0]
	}
	p.r.write(out)
}

// decode appends the text of string operand t shown in font f.
func (p *pdfFile) decode(out []byte, t pdfTok, f *pdfFont) []byte {
	if t.kind != tokString {
		return out
	}
	s := t.v
	switch {
	case f != nil && f.cmap != nil:
		n := f.cmap.codeLen
		if n == 0 {
			n = 1
			if f.composite {
				n = 2
			}
		}
		for i := 0; i+n <= len(s); i += n {
			code := 0
			for _, c := range s[i : i+n] {
				code = code<<8 | int(c)
			}
			if u, ok := f.cmap.lookup(code); ok {
				out = append(out, u...)
			}
		}
	case f != nil && f.composite:
		p.noMap = true
	default:
		d, err := charmap.Windows1252.NewDecoder().Bytes(s)
		if err == nil {
			out = append(out, d...)
		}
	}
	return out
}

// cmap is a ToUnicode CMap: codes to text.
type cmap struct {
	codeLen int // octets per code from the codespace ranges; 0 if unknown
	single  map[int]string
	ranges  []cmapRange
}

type cmapRange struct {
	lo, hi int
	start  []rune   // text of lo; later codes add to its last rune
	each   []string // or one text per code, from an array
}

func (c *cmap) lookup(code int) (string, bool) {
	if s, ok := c.single[code]; ok {
		return s, true
	}
	for _, r := range c.ranges {
		if code < r.lo || code > r.hi {
			continue
		}
		if r.each != nil {
			if i := code - r.lo; i < len(r.each) {
				return r.each[i], true
			}
			return "", false
		}
		if len(r.start) == 0 {
			return "", false
		}
		rs := append([]rune(nil), r.start...)
		rs[len(rs)-1] += rune(code - r.lo)
		return string(rs), true
	}
	return "", false
}

// parseCMap reads codespace ranges, bfchar and bfrange sections.
func parseCMap(s []byte) *cmap {
	c := &cmap{single: map[int]string{}}
	lx := pdfLexer{b: s}
	var ops []pdfTok
	section := ""
	for n := 0; n < 1<<20; n++ {
		t, ok := lx.next()
		if !ok {
			break
		}
		if t.kind != tokOp {
			ops = append(ops, t)
			switch section {
			case "codespace":
				if len(ops) == 2 {
					c.codeLen = max(c.codeLen, len(ops[0].v))
					ops = ops[:0]
				}
			case "bfchar":
				if len(ops) == 2 {
					if len(c.single) < 1<<16 {
						c.single[codeOf(ops[0].v)] = utf16BE(ops[1].v)
					}
					ops = ops[:0]
				}
			case "bfrange":
				if len(ops) == 3 {
					r := cmapRange{lo: codeOf(ops[0].v), hi: codeOf(ops[1].v)}
					if ops[2].kind == tokArray {
						for _, e := range ops[2].items[:min(len(ops[2].items), 1<<16)] {
							r.each = append(r.each, utf16BE(e.v))
						}
					} else {
						r.start = []rune(utf16BE(ops[2].v))
					}
					if r.hi >= r.lo && len(c.ranges) < 1<<14 {
						c.ranges = append(c.ranges, r)
					}
					ops = ops[:0]
				}
			}
			if len(ops) > 8 {
				ops = ops[:0]
			}
			continue
		}
		switch string(t.v) {
		case "begincodespacerange":
			section = "codespace"
		case "beginbfchar":
			section = "bfchar"
		case "beginbfrange":
			section = "bfrange"
		case "endcodespacerange", "endbfchar", "endbfrange":
			section = ""
		}
		ops = ops[:0]
	}
	return c
}

func codeOf(b []byte) int {
	n := 0
	for _, c := range b[:min(len(b), 4)] {
		n = n<<8 | int(c)
	}
	return n
}

// utf16BE decodes a CMap destination: UTF-16BE text.
func utf16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	rs := utf16.Decode(u)
	out := make([]byte, 0, len(rs)*3)
	for _, r := range rs {
		if r != 0 {
			out = utf8.AppendRune(out, r)
		}
	}
	return string(out)
}

type pdfTokKind int

const (
	tokNumber pdfTokKind = iota
	tokString
	tokName
	tokArray
	tokOp
	tokOther
)

type pdfTok struct {
	kind  pdfTokKind
	v     []byte // number, name (without "/"), string octets, operator
	items []pdfTok
}

// pdfLexer reads the tokens of a content stream or CMap.
type pdfLexer struct {
	b   []byte
	pos int
}

func (l *pdfLexer) next() (pdfTok, bool) {
	return l.token(0)
}

func (l *pdfLexer) token(depth int) (pdfTok, bool) {
	b := l.b
	for l.pos < len(b) {
		c := b[l.pos]
		switch {
		case isPDFSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(b) && b[l.pos] != '\n' && b[l.pos] != '\r' {
				l.pos++
			}
		case c == '(':
			end := skipLiteral(b, l.pos)
			v := unescapeLiteral(b[l.pos+1 : max(l.pos+1, end-1)])
			l.pos = end
			return pdfTok{kind: tokString, v: v}, true
		case c == '<' && l.pos+1 < len(b) && b[l.pos+1] == '<':
			l.pos += 2
			return pdfTok{kind: tokOther}, true
		case c == '>' && l.pos+1 < len(b) && b[l.pos+1] == '>':
			l.pos += 2
			return pdfTok{kind: tokOther}, true
		case c == '<':
			end := bytes.IndexByte(b[l.pos:], '>')
			if end < 0 {
				end = len(b) - l.pos
			}
			v := unhexString(b[l.pos+1 : l.pos+end])
			l.pos = min(len(b), l.pos+end+1)
			return pdfTok{kind: tokString, v: v}, true
		case c == '[':
			l.pos++
			arr := pdfTok{kind: tokArray}
			for depth < 32 && len(arr.items) < 1<<16 {
				t, ok := l.token(depth + 1)
				if !ok || (t.kind == tokOther && len(t.v) == 1 && t.v[0] == ']') {
					break
				}
				arr.items = append(arr.items, t)
			}
			return arr, true
		case c == ']' || c == '{' || c == '}' || c == '>' || c == ')':
			l.pos++
			return pdfTok{kind: tokOther, v: b[l.pos-1 : l.pos]}, true
		case c == '/':
			start := l.pos + 1
			l.pos++
			for l.pos < len(b) && !isPDFDelim(b[l.pos]) {
				l.pos++
			}
			return pdfTok{kind: tokName, v: b[start:l.pos]}, true
		default:
			start := l.pos
			for l.pos < len(b) && !isPDFDelim(b[l.pos]) {
				l.pos++
			}
			v := b[start:l.pos]
			if c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') {
				return pdfTok{kind: tokNumber, v: v}, true
			}
			if string(v) == "BI" {
				l.skipInlineImage()
				continue
			}
			return pdfTok{kind: tokOp, v: v}, true
		}
	}
	return pdfTok{}, false
}

// skipInlineImage skips an inline image's binary data up to "EI".
func (l *pdfLexer) skipInlineImage() {
	k := bytes.Index(l.b[l.pos:], []byte("ID"))
	if k < 0 {
		l.pos = len(l.b)
		return
	}
	l.pos += k + 2
	for {
		e := bytes.Index(l.b[l.pos:], []byte("EI"))
		if e < 0 {
			l.pos = len(l.b)
			return
		}
		at := l.pos + e
		l.pos = at + 2
		if at > 0 && isPDFSpace(l.b[at-1]) && (l.pos == len(l.b) || isPDFDelim(l.b[l.pos])) {
			return
		}
	}
}

// unescapeLiteral decodes a literal string's escapes (PDF 32000 7.3.4.2).
func unescapeLiteral(s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			out = append(out, c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case '\n':
		default:
			if c >= '0' && c <= '7' {
				v := 0
				j := i
				for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
					v = v*8 + int(s[j]-'0')
				}
				out = append(out, byte(v))
				i = j - 1
			} else {
				out = append(out, c)
			}
		}
	}
	return out
}

// unhexString decodes a hex string, blanks ignored, an odd final digit
// followed by 0.
func unhexString(s []byte) []byte {
	out := make([]byte, 0, len(s)/2)
	var hi byte
	half := false
	for _, c := range s {
		v, ok := unhexDigit(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

func unhexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
