package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/csvfile"
)

// WriteCSV writes one row per period and department: decisions, each
// verdict, flagged, shadowed, false alarms, catches, both rates, then one
// column per finding code seen (messages carrying it). Periods are written
// in RFC 3339 with the report's offset, rates with four decimals. It is
// the API's CSV, for programs: plain UTF-8, as it always was.
func WriteCSV(w io.Writer, r *Report) error {
	return writeCSV(csv.NewWriter(w), r)
}

// WriteExcelCSV writes the same CSV for people: it starts with the UTF-8
// byte order mark, without which Excel on a Japanese Windows reads the
// department names as Shift_JIS mojibake.
func WriteExcelCSV(w io.Writer, r *Report) error {
	return writeCSV(csvfile.NewWriter(w), r)
}

func writeCSV(cw *csv.Writer, r *Report) error {
	head := []string{"period", "department", "decisions"}
	for _, v := range Verdicts {
		head = append(head, string(v))
	}
	head = append(head, "flagged", "shadowed", "false_alarms", "catches", "false_alarm_rate", "catch_rate")
	for _, c := range r.codes {
		head = append(head, string(c))
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("reports: csv: %w", err)
	}
	for _, c := range r.Cells {
		row := []string{c.Period.Format(time.RFC3339), cell(c.Department), strconv.Itoa(c.Decisions)}
		for _, v := range Verdicts {
			row = append(row, strconv.Itoa(c.Verdicts[string(v)]))
		}
		row = append(row, strconv.Itoa(c.Flagged), strconv.Itoa(c.Shadowed), strconv.Itoa(c.FalseAlarms),
			strconv.Itoa(c.Catches), strconv.FormatFloat(c.FalseAlarmRate, 'f', 4, 64),
			strconv.FormatFloat(c.CatchRate, 'f', 4, 64))
		for _, code := range r.codes {
			row = append(row, strconv.Itoa(c.Codes[code]))
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("reports: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: csv: %w", err)
	}
	return nil
}

// cell keeps a spreadsheet from running text as a formula: department names
// come from a directory import and may start with =, +, - or @.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
