package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/csvfile"
	"github.com/misend/misend/internal/mail"
)

// Column names of the two Exchange Online exports, lower-cased: the
// Get-MessageTrace / portal export and the historical-search report.
var csvColumns = map[string][]string{
	"date":    {"received", "date_time_utc", "date", "timestamp"},
	"from":    {"senderaddress", "sender_address"},
	"to":      {"recipientaddress", "recipient_address"},
	"subject": {"subject", "message_subject"},
	"size":    {"size", "total_bytes"},
	"id":      {"messageid", "message_id"},
}

// Dates as the exports write them: ISO 8601 from the historical search,
// the portal and PowerShell in the exporting machine's culture (en-US
// month first, ja-JP year first, with or without seconds). Times without a
// zone are UTC, as both exports are.
var csvDateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006 15:04:05", "1/2/2006 15:04",
	"2006/1/2 15:04:05", "2006/1/2 15:04",
}

// Grouping window for CSV exports. Both exports write one row per
// recipient, and a message's rows come together (same timestamp) in
// practice but are not promised to; holding a whole export to group it
// would cost memory in proportion to the file. Instead a message is passed
// on once csvWindowRows rows went by without a row for it, or when more
// than csvMaxOpen messages are open; a row for a message already passed on
// is counted as SkipCSVLateRow, never silently lost.
const (
	csvWindowRows = 5000
	csvMaxOpen    = 20000
	csvMaxClosed  = 200000 // recently passed-on ids remembered to spot late rows
)

// readCSV groups message-trace rows by message id into one message each (one
// row per recipient in both exports). A bad row is skipped with its line; a
// line in no encoding csvfile reads ends the file there.
func readCSV(path string, br *bufio.Reader, emit func(*item) bool) error {
	// The portal writes UTF-8, PowerShell's Export-Csv UTF-16 (Windows
	// PowerShell's "Unicode") or the machine's code page, Shift_JIS on a
	// Japanese Windows.
	dec := bufio.NewReaderSize(csvfile.Decode(br), 4096)
	// Windows PowerShell's Export-Csv starts with a "#TYPE" line unless
	// told not to; the header follows it.
	skipped := 0
	if b, _ := dec.Peek(5); string(b) == "#TYPE" {
		for {
			_, err := dec.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				continue // the rest of an overlong line
			}
			if err != nil {
				return fmt.Errorf("csv header: %w", err)
			}
			break
		}
		skipped = 1
	}
	lr := &recordLimiter{r: dec}
	r := csv.NewReader(lr)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		for k, names := range csvColumns {
			for _, n := range names {
				if h == n {
					if _, ok := col[k]; !ok {
						col[k] = i
					}
				}
			}
		}
	}
	_, hasFrom := col["from"]
	_, hasTo := col["to"]
	if !hasFrom || !hasTo {
		emit(&item{src: path, skip: SkipCSVColumns, detail: "no sender or no recipient address column in " + truncate(strings.Join(header, ","), 150)})
		return nil
	}
	get := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	g := csvGrouper{path: path, emit: emit, open: map[string]*openMsg{}, closed: map[uint64]struct{}{}}
	for row := 1; ; row++ {
		lr.n = 0
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		line += skipped
		if err != nil {
			if pe, ok := err.(*csv.ParseError); ok {
				pe.StartLine += skipped
				pe.Line += skipped
				if !emit(&item{src: fmt.Sprintf("%s#%d", path, pe.StartLine), skip: SkipCSVBadRow, detail: err.Error()}) {
					return nil
				}
				continue
			}
			// An encoding error counts the lines csvfile read, the #TYPE
			// line included: it names the file's line already.
			// What was grouped so far is good; pass it on before giving up.
			g.flush(-1)
			return err
		}
		from, to := parseAddr(get(rec, "from")), parseAddr(get(rec, "to"))
		if from.Addr == "" || to.Addr == "" {
			if !emit(&item{src: fmt.Sprintf("%s#%d", path, line), skip: SkipCSVNoAddress, detail: fmt.Sprintf("line %d", line)}) {
				return nil
			}
			continue
		}
		// A date that is no date (13/45/2026 99:00) is a broken row, not a
		// message of the year 1: the model learns when people write.
		var date time.Time
		if _, ok := col["date"]; ok {
			v := get(rec, "date")
			if date, ok = parseCSVDate(v); !ok {
				if !emit(&item{src: fmt.Sprintf("%s#%d", path, line), skip: SkipCSVBadDate, detail: fmt.Sprintf("line %d: %q is not a date and time", line, truncate(v, 60))}) {
					return nil
				}
				continue
			}
		}
		id := strings.Trim(get(rec, "id"), "<> ")
		key := id
		if key == "" {
			key = fmt.Sprintf("line %d", line)
		}
		if !g.add(row, line, key, id, from, to, date, rec, get) {
			return nil
		}
	}
	g.flush(-1)
	return nil
}

// csvMaxRecord bounds one CSV record: an unterminated quote would otherwise
// make encoding/csv read the rest of the file into one field.
const csvMaxRecord = 1 << 20

var errCSVRecordTooLong = fmt.Errorf("CSV record longer than %d octets (an unterminated quote?)", csvMaxRecord)

// recordLimiter counts the octets handed to the CSV reader since the last
// record (give or take its 4 KB read-ahead) and fails past csvMaxRecord.
type recordLimiter struct {
	r io.Reader
	n int
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.n > csvMaxRecord {
		return 0, errCSVRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

type openMsg struct {
	key     string
	msg     *mail.Message
	lastRow int
}

// csvGrouper holds the messages whose rows may still come.
type csvGrouper struct {
	path    string
	emit    func(*item) bool
	open    map[string]*openMsg
	order   []*openMsg // by first row, from head on
	head    int
	n       int                 // messages passed on
	closed  map[uint64]struct{} // hashes of keys passed on recently
	closedQ []uint64
}

func (g *csvGrouper) add(row, line int, key, id string, from, to mail.Address, date time.Time, rec []string, get func([]string, string) string) bool {
	if o := g.open[key]; o != nil {
		o.lastRow = row
		for _, a := range o.msg.To {
			if a.Addr == to.Addr {
				return g.flush(row)
			}
		}
		o.msg.To = append(o.msg.To, to)
		return g.flush(row)
	}
	if _, ok := g.closed[maphash.String(csvSeed, key)]; ok {
		if !g.emit(&item{src: fmt.Sprintf("%s#%d", g.path, line), skip: SkipCSVLateRow, detail: fmt.Sprintf("line %d: recipient %s of message %s", line, to.Addr, truncate(key, 80))}) {
			return false
		}
		return g.flush(row)
	}
	m := &mail.Message{MessageID: id, From: from, Subject: get(rec, "subject"), To: []mail.Address{to}}
	m.Date = date
	m.Size, _ = strconv.Atoi(get(rec, "size"))
	o := &openMsg{key: key, msg: m, lastRow: row}
	g.open[key] = o
	g.order = append(g.order, o)
	return g.flush(row)
}

// flush passes on, in first-row order, the messages that went quiet for the
// window or overflow the cap; row -1 passes on everything.
func (g *csvGrouper) flush(row int) bool {
	for g.head < len(g.order) {
		o := g.order[g.head]
		if row >= 0 && row-o.lastRow < csvWindowRows && len(g.open) <= csvMaxOpen {
			break
		}
		g.order[g.head] = nil
		g.head++
		delete(g.open, o.key)
		g.remember(o.key)
		g.n++
		if !g.emit(&item{src: fmt.Sprintf("%s#%d", g.path, g.n), msg: o.msg}) {
			return false
		}
	}
	if g.head > 4096 && g.head*2 > len(g.order) {
		g.order = append(g.order[:0], g.order[g.head:]...)
		g.head = 0
	}
	return true
}

// csvSeed hashes message keys; a collision at worst counts one row as
// late that was not.
var csvSeed = maphash.MakeSeed()

func (g *csvGrouper) remember(key string) {
	h := maphash.String(csvSeed, key)
	g.closed[h] = struct{}{}
	g.closedQ = append(g.closedQ, h)
	if len(g.closedQ) > csvMaxClosed {
		delete(g.closed, g.closedQ[0])
		g.closedQ = g.closedQ[1:]
	}
}

func parseAddr(s string) mail.Address {
	s = strings.ToLower(strings.Trim(s, "<> "))
	if i := strings.LastIndexByte(s, '@'); i <= 0 || i == len(s)-1 || strings.ContainsAny(s, " ,;") {
		return mail.Address{}
	}
	return mail.Address{Addr: s}
}

// parseCSVDate reads a date in one of csvDateLayouts; time.Parse checks
// the ranges (month 13, day 45 or hour 99 fail).
func parseCSVDate(s string) (time.Time, bool) {
	for _, l := range csvDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
