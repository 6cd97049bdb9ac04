package attach

import (
	"encoding/binary"
	"errors"
	"sync"
)

// inflate decompresses a whole raw deflate stream (RFC 1951) held in
// memory into one buffer, where a match copies from what is already out,
// eight octets at a time, rather than through a sliding window; it reads
// the bits of the stream sixty-four at a time. It is what makes Word
// bodies, which compress about 10:1, quick to read.
//
// It is strict: a stream it finds anything odd in (incomplete or
// over-subscribed codes, input running out, a distance before the
// start) fails with errInflate, and the caller reads the file again with
// klauspost/compress, which then says what is wrong in its own words.
// TestInflate and FuzzInflate hold it to klauspost/compress.

// errInflate: the stream is not one inflate reads; errInflateLimit: more
// than max octets would come out.
var (
	errInflate      = errors.New("inflate: not read")
	errInflateLimit = errors.New("inflate: past the limit")
)

const (
	litBits  = 10 // bits looked up at once for literals and lengths
	distBits = 8  // and for distances
	// An entry of a lookup table: the symbol above bit 16, flags, and in
	// the low octet the bits its code takes.
	entryLink    = 1 << 8 // the symbol is where a second-level table starts; the low octet is that table's bits
	entryInvalid = 1 << 9 // no code: the stream is damaged
)

// huffman is a two-level lookup table of a canonical Huffman code, read
// from the low bits of the bit buffer.
type huffman struct {
	bits  uint     // bits of the first level
	table []uint32 // first level, then second-level tables
}

// build makes the table of the code with the given lengths; false when
// the code is over-subscribed, or incomplete (but for one code of one
// bit, or no code at all, which deflate allows for distances).
func (h *huffman) build(lengths []uint8, primary uint) bool {
	var count [16]int
	maxLen := uint(0)
	for _, l := range lengths {
		count[l]++
		if uint(l) > maxLen {
			maxLen = uint(l)
		}
	}
	count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false
		}
	}
	used := 0
	for l := 1; l < 16; l++ {
		used += count[l]
	}
	if left > 0 && used > 0 && !(used == 1 && maxLen == 1) {
		// Incomplete: only the one code of one bit zlib writes is taken.
		return false
	}
	h.bits = primary
	size := 1 << h.bits
	if cap(h.table) < size {
		h.table = make([]uint32, size, size*2)
	}
	h.table = h.table[:size]
	for i := range h.table {
		h.table[i] = entryInvalid
	}
	if used == 0 {
		return true
	}
	// First codes of each length, as RFC 1951 3.2.2 assigns them.
	var next [16]uint32
	code := uint32(0)
	for l := 1; l < 16; l++ {
		code = (code + uint32(count[l-1])) << 1
		next[l] = code
	}
	next[0] = 0
	// Codes longer than the first level: their first-level entry links
	// to a table as deep as the longest code under it.
	var subBits [1 << litBits]uint8
	var codes [288]uint32
	for sym, l := range lengths {
		if l == 0 {
			continue
		}
		codes[sym] = reverseBits(next[l], uint(l))
		next[l]++
		if uint(l) > h.bits {
			p := codes[sym] & (1<<h.bits - 1)
			subBits[p] = max(subBits[p], uint8(uint(l)-h.bits))
		}
	}
	for sym, l := range lengths {
		if l == 0 {
			continue
		}
		c, n := codes[sym], uint(l)
		if n <= h.bits {
			e := uint32(sym)<<16 | uint32(n)
			for i := c; i < 1<<h.bits; i += 1 << n {
				h.table[i] = e
			}
			continue
		}
		p := c & (1<<h.bits - 1)
		sb := uint(subBits[p])
		if h.table[p]&entryLink == 0 {
			start := len(h.table)
			for range 1 << sb {
				h.table = append(h.table, entryInvalid)
			}
			h.table[p] = uint32(start)<<16 | entryLink | uint32(sb)
		}
		start := int(h.table[p] >> 16)
		e := uint32(sym)<<16 | uint32(n-h.bits)
		for i := int(c >> h.bits); i < 1<<sb; i += 1 << (n - h.bits) {
			h.table[start+i] = e
		}
	}
	return true
}

func reverseBits(code uint32, n uint) uint32 {
	r := uint32(0)
	for range n {
		r = r<<1 | code&1
		code >>= 1
	}
	return r
}

// Lengths and distances: base values and extra bits, RFC 1951 3.2.5.
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// The order code length code lengths come in, 3.2.7.
	clenOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// fixed holds the codes of blocks compressed with fixed Huffman codes.
var fixed = sync.OnceValue(func() *[2]huffman {
	var l [288 + 32]uint8
	for i := range 288 {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	for i := range 32 {
		l[288+i] = 5
	}
	var h [2]huffman
	h[0].build(l[:288], litBits)
	h[1].build(l[288:], distBits)
	return &h
})

// inflater holds the tables of one stream, kept for the next.
type inflater struct {
	lit, dist huffman
	lengths   [288 + 32]uint8
	clen      huffman
}

var inflaters = sync.Pool{New: func() any { return new(inflater) }}

// inflate appends what src decompresses to to dst and returns it; it
// fails with errInflateLimit once the output would pass max octets.
func inflate(dst, src []byte, max int) ([]byte, error) {
	f := inflaters.Get().(*inflater)
	defer inflaters.Put(f)
	return f.inflate(dst, src, max)
}

func (f *inflater) inflate(out, in []byte, max int) ([]byte, error) {
	base := len(out)
	o := base
	out = out[:cap(out)]
	end := base + max // the output may not reach past end
	var (
		bitbuf uint64
		nbits  uint // bits in bitbuf, at most 63
		pos    int  // the next octet of in to go into bitbuf
		over   int  // zero octets put into bitbuf past the end of in
		ok     bool
	)
	for final := false; !final; {
		if nbits < 3 {
			if bitbuf, nbits, pos, over = refill(in, bitbuf, nbits, pos, over); over > 8 {
				return nil, errInflate
			}
		}
		final = bitbuf&1 == 1
		kind := bitbuf >> 1 & 3
		bitbuf >>= 3
		nbits -= 3
		var lit, dist *huffman
		switch kind {
		case 0:
			// Stored: to the next octet, LEN and NLEN, then LEN octets.
			// The whole octets of in still in bitbuf go back to it (the
			// padding is the top of bitbuf).
			real := int(nbits) - 8*over
			if real < 0 {
				return nil, errInflate
			}
			pos -= real / 8
			bitbuf, nbits, over = 0, 0, 0
			if pos+4 > len(in) {
				return nil, errInflate
			}
			n := int(binary.LittleEndian.Uint16(in[pos:]))
			if uint16(n) != ^binary.LittleEndian.Uint16(in[pos+2:]) {
				return nil, errInflate
			}
			pos += 4
			if pos+n > len(in) {
				return nil, errInflate
			}
			if o+n > end {
				return nil, errInflateLimit
			}
			out = grow(out, o, n, end)
			o += copy(out[o:], in[pos:pos+n])
			pos += n
			continue
		case 1:
			h := fixed()
			lit, dist = &h[0], &h[1]
		case 2:
			if bitbuf, nbits, pos, over, ok = f.header(in, bitbuf, nbits, pos, over); !ok {
				return nil, errInflate
			}
			lit, dist = &f.lit, &f.dist
		default:
			return nil, errInflate
		}
		// The symbols of the block.
		// The first levels as arrays, looked up without bounds checks.
		lt, ltab := (*[1 << litBits]uint32)(lit.table), lit.table
		dt, dtab := (*[1 << distBits]uint32)(dist.table), dist.table
		for {
			if nbits < 48 {
				if pos+8 <= len(in) {
					bitbuf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
					pos += int(63-nbits) >> 3
					nbits |= 56
				} else if bitbuf, nbits, pos, over = refill(in, bitbuf, nbits, pos, over); over > 8 {
					return nil, errInflate
				}
			}
			e := lt[bitbuf&(1<<litBits-1)]
			if e&entryLink != 0 {
				bitbuf >>= litBits
				nbits -= litBits
				e = ltab[int(e>>16)+int(bitbuf&(1<<(e&0xFF)-1))]
			}
			if e&entryInvalid != 0 {
				return nil, errInflate
			}
			n := uint(e & 0xFF)
			bitbuf >>= n
			nbits -= n
			sym := int(e >> 16)
			if sym < 256 {
				if o >= end {
					return nil, limitOrDamage(in, pos, over, nbits)
				}
				if o >= len(out) {
					out = grow(out, o, 1, end)
				}
				out[o] = byte(sym)
				o++
				continue
			}
			if sym == 256 {
				break
			}
			sym -= 257
			if sym >= len(lengthBase) {
				return nil, errInflate
			}
			length := int(lengthBase[sym])
			if x := uint(lengthExtra[sym]); x > 0 {
				length += int(bitbuf & (1<<x - 1))
				bitbuf >>= x
				nbits -= x
			}
			e = dt[bitbuf&(1<<distBits-1)]
			if e&entryLink != 0 {
				bitbuf >>= distBits
				nbits -= distBits
				e = dtab[int(e>>16)+int(bitbuf&(1<<(e&0xFF)-1))]
			}
			if e&entryInvalid != 0 {
				return nil, errInflate
			}
			n = uint(e & 0xFF)
			bitbuf >>= n
			nbits -= n
			dsym := int(e >> 16)
			if dsym >= len(distBase) {
				return nil, errInflate
			}
			if nbits < 13 {
				if bitbuf, nbits, pos, over = refill(in, bitbuf, nbits, pos, over); over > 8 {
					return nil, errInflate
				}
			}
			d := int(distBase[dsym])
			if x := uint(distExtra[dsym]); x > 0 {
				d += int(bitbuf & (1<<x - 1))
				bitbuf >>= x
				nbits -= x
			}
			if d > o-base {
				return nil, errInflate
			}
			if o+length > end {
				return nil, limitOrDamage(in, pos, over, nbits)
			}
			out = grow(out, o, length, end)
			from := o - d
			switch {
			case d >= length:
				copy(out[o:o+length], out[from:from+length])
			case d >= 16:
				for k := 0; k < length; k += 16 {
					a := binary.LittleEndian.Uint64(out[from+k:])
					b := binary.LittleEndian.Uint64(out[from+k+8:])
					binary.LittleEndian.PutUint64(out[o+k:], a)
					binary.LittleEndian.PutUint64(out[o+k+8:], b)
				}
			case d >= 8:
				for k := 0; k < length; k += 8 {
					binary.LittleEndian.PutUint64(out[o+k:], binary.LittleEndian.Uint64(out[from+k:]))
				}
			default:
				for k := range length {
					out[o+k] = out[from+k]
				}
			}
			o += length
		}
	}
	if over*8 > int(nbits) {
		return nil, errInflate // the stream ended inside the padding
	}
	return out[:o], nil
}

// limitOrDamage is errInflateLimit, unless the stream is about to end:
// klauspost/compress, which reads ahead the bits of an end of block,
// may find it cut short before it passes the limit, and says so; the few
// streams that end this near the limit are left to it.
func limitOrDamage(in []byte, pos, over int, nbits uint) error {
	if int(nbits)-8*over+8*(len(in)-pos) < 64 {
		return errInflate
	}
	return errInflateLimit
}

// refill puts octets of in into the bit buffer until it holds at least
// 56 bits, zeros past the end of in (counted in over).
func refill(in []byte, bitbuf uint64, nbits uint, pos, over int) (uint64, uint, int, int) {
	if pos+8 <= len(in) {
		bitbuf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
		return bitbuf, nbits | 56, pos + int(63-nbits)>>3, over
	}
	for nbits < 56 {
		if pos < len(in) {
			bitbuf |= uint64(in[pos]) << nbits
			pos++
		} else {
			over++
		}
		nbits += 8
	}
	return bitbuf, nbits, pos, over
}

// grow returns out with room for n octets at o and sixteen more (the
// copies write sixteen at a time), never much past end.
func grow(out []byte, o, n, end int) []byte {
	if o+n+16 <= len(out) {
		return out
	}
	size := min(max(2*len(out), 4096), end+16+258)
	size = max(size, o+n+16)
	bigger := make([]byte, size)
	copy(bigger, out[:o])
	return bigger
}

// header reads the code lengths of a block with dynamic Huffman codes
// and builds its tables.
func (f *inflater) header(in []byte, bitbuf uint64, nbits uint, pos, over int) (uint64, uint, int, int, bool) {
	take := func(n uint) uint64 {
		v := bitbuf & (1<<n - 1)
		bitbuf >>= n
		nbits -= n
		return v
	}
	// Every read below takes at most 16 bits; refill makes 56 ready.
	ready := func() bool {
		if nbits < 16 {
			bitbuf, nbits, pos, over = refill(in, bitbuf, nbits, pos, over)
		}
		return over <= 8
	}
	if !ready() {
		return bitbuf, nbits, pos, over, false
	}
	nlit := int(take(5)) + 257
	ndist := int(take(5)) + 1
	nclen := int(take(4)) + 4
	if nlit > 286 || ndist > 30 {
		return bitbuf, nbits, pos, over, false
	}
	var cl [19]uint8
	for i := range nclen {
		if !ready() {
			return bitbuf, nbits, pos, over, false
		}
		cl[clenOrder[i]] = uint8(take(3))
	}
	if !f.clen.build(cl[:], 7) {
		return bitbuf, nbits, pos, over, false
	}
	lengths := f.lengths[:nlit+ndist]
	for i := 0; i < len(lengths); {
		if !ready() {
			return bitbuf, nbits, pos, over, false
		}
		e := f.clen.table[bitbuf&(1<<f.clen.bits-1)]
		if e&(entryInvalid|entryLink) != 0 {
			return bitbuf, nbits, pos, over, false
		}
		take(uint(e & 0xFF))
		sym := e >> 16
		var rep int
		var val uint8
		switch {
		case sym < 16:
			lengths[i] = uint8(sym)
			i++
			continue
		case sym == 16:
			if i == 0 {
				return bitbuf, nbits, pos, over, false
			}
			val, rep = lengths[i-1], 3+int(take(2))
		case sym == 17:
			rep = 3 + int(take(3))
		default:
			rep = 11 + int(take(7))
		}
		if i+rep > len(lengths) {
			return bitbuf, nbits, pos, over, false
		}
		for range rep {
			lengths[i] = val
			i++
		}
	}
	if lengths[256] == 0 {
		return bitbuf, nbits, pos, over, false
	}
	ok := f.lit.build(lengths[:nlit], litBits) && f.dist.build(lengths[nlit:], distBits)
	return bitbuf, nbits, pos, over, ok
}
