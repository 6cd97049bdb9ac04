package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

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

var csvDateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05", "1/2/2006 3:04:05 PM", "1/2/2006 15:04:05", "2006/01/02 15:04:05",
}

// readCSV groups message-trace rows by message id into one message each (one
// row per recipient in both exports). A bad row is skipped with its line.
func readCSV(path string, br *bufio.Reader, emit func(*item) bool) error {
	if b, _ := br.Peek(3); string(b) == "\uFEFF" {
		br.Discard(3)
	}
	r := csv.NewReader(br)
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
	if _, ok := col["from"]; !ok {
		return fmt.Errorf("csv: no sender address column")
	}
	if _, ok := col["to"]; !ok {
		return fmt.Errorf("csv: no recipient address column")
	}
	get := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	byID := map[string]*mail.Message{}
	var order []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			if _, ok := err.(*csv.ParseError); ok {
				if !emit(&item{src: fmt.Sprintf("%s#%d", path, line), skip: "csv: unreadable row"}) {
					return nil
				}
				continue
			}
			return err
		}
		from, to := parseAddr(get(rec, "from")), parseAddr(get(rec, "to"))
		if from.Addr == "" || to.Addr == "" {
			if !emit(&item{src: fmt.Sprintf("%s#%d", path, line), skip: "csv: row without sender or recipient address"}) {
				return nil
			}
			continue
		}
		id := strings.Trim(get(rec, "id"), "<> ")
		key := id
		if key == "" {
			key = fmt.Sprintf("line %d", line)
		}
		m := byID[key]
		if m == nil {
			m = &mail.Message{MessageID: id, From: from, Subject: get(rec, "subject")}
			m.Date = parseCSVDate(get(rec, "date"))
			m.Size, _ = strconv.Atoi(get(rec, "size"))
			byID[key] = m
			order = append(order, key)
		}
		dup := false
		for _, a := range m.To {
			dup = dup || a.Addr == to.Addr
		}
		if !dup {
			m.To = append(m.To, to)
		}
	}
	for i, k := range order {
		if !emit(&item{src: fmt.Sprintf("%s#%d", path, i+1), msg: byID[k]}) {
			return nil
		}
	}
	return nil
}

func parseAddr(s string) mail.Address {
	s = strings.ToLower(strings.Trim(s, "<> "))
	if i := strings.LastIndexByte(s, '@'); i <= 0 || i == len(s)-1 || strings.ContainsAny(s, " ,;") {
		return mail.Address{}
	}
	return mail.Address{Addr: s}
}

func parseCSVDate(s string) time.Time {
	for _, l := range csvDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
