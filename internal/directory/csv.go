package directory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/csvfile"
)

// Source yields the people of a directory: CSV (here) or LDAP (ldap.go).
type Source interface {
	People(ctx context.Context) ([]Person, error)
}

// Limits that keep a hostile file from exhausting memory or the terminal.
const (
	maxCSVBytes  = 256 << 20
	maxRows      = 1_000_000
	maxFieldLen  = 4096
	maxRowErrors = 1000
)

// RowError is one problem with one row of an import file.
type RowError struct {
	Line   int    // 1-based line in the file
	Column string // column name, "" when the problem is the whole row
	Reason string // in English, as the command line shows it
	// Kind names the reason for a translation (one of the Problem
	// constants, "" for a reason without one) and Value is what it is
	// about: an address, a role, a count.
	Kind  string
	Value string
}

// Kinds of RowError. They are stable: the web UI translates them.
const (
	ProblemEncoding         = "encoding"          // neither UTF-8, Shift_JIS nor UTF-16 with a BOM
	ProblemMixedEncoding    = "mixed-encoding"    // a line in another encoding than those before it
	ProblemUnknownColumn    = "unknown-column"    //
	ProblemDuplicateColumn  = "duplicate-column"  //
	ProblemMissingColumn    = "missing-column"    //
	ProblemCSVSyntax        = "csv-syntax"        // quotes that do not pair, and the like
	ProblemColumnCount      = "column-count"      // Value: how many columns the row has
	ProblemTooLong          = "too-long"          // Value: the longest a value may be, in octets
	ProblemEmpty            = "empty"             // a required value is missing
	ProblemBadAddress       = "bad-address"       // Value: the address
	ProblemDepartmentChars  = "department-chars"  // ';' or ':' in a department name
	ProblemGroupColon       = "group-colon"       // Value: the group
	ProblemUnknownRole      = "unknown-role"      // Value: the role
	ProblemBadScope         = "bad-scope"         // Value: the scope
	ProblemDuplicateAddress = "duplicate-address" // Value: the line it is also on
	ProblemSelfDeputy       = "self-deputy"       // Value: the deputy, the person themself
	ProblemTimeZone         = "time-zone"         // Value: the zone named
)

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// ImportError gathers every problem found in a file, so one run shows them
// all. Nothing is imported when it is returned.
type ImportError struct {
	Rows      []RowError
	Truncated int // problems not listed after the first maxRowErrors
}

func (e *ImportError) Error() string {
	return describeProblems("directory file", e.Rows, e.Truncated)
}

func (e *ImportError) add(r RowError) { addProblem(&e.Rows, &e.Truncated, r) }

// describeProblems writes a count and one line per problem, as import
// errors from every source show them.
func describeProblems[T error](source string, list []T, truncated int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in %s", len(list)+truncated, source)
	for _, p := range list {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	if truncated > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", truncated)
	}
	return b.String()
}

// addProblem lists p, or only counts it past maxRowErrors.
func addProblem[T any](list *[]T, truncated *int, p T) {
	if len(*list) >= maxRowErrors {
		*truncated++
		return
	}
	*list = append(*list, p)
}

// Files with nothing to import.
var (
	ErrEmptyFile = errors.New("directory file is empty: want header address,name,department,groups,roles")
	ErrNoPeople  = errors.New("directory file has a header but no people")
)

var requiredColumns = []string{"address", "name", "department", "groups", "roles"}
var optionalColumns = []string{"aliases", "approver_of", "lang", "deputy", "time_zone"}

// Columns lists the columns a directory file may have, the required first.
func Columns() []string { return append(slices.Clone(requiredColumns), optionalColumns...) }

// CSV reads a directory from CSV with the header
// address,name,department,groups,roles and optionally aliases, approver_of,
// lang, deputy (the address of the person's deputy approver) and time_zone
// (an IANA name such as Asia/Tokyo), columns in any order. Lists inside a
// field are separated by ';'.
type CSV struct {
	R io.Reader
}

// People implements Source.
func (c CSV) People(ctx context.Context) ([]Person, error) { return ParseCSV(c.R) }

// ParseCSV reads and checks a whole directory file. Any problem makes it
// return an *ImportError listing all of them (with line and column).
func ParseCSV(r io.Reader) ([]Person, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCSVBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read directory file: %w", err)
	}
	if len(data) > maxCSVBytes {
		return nil, fmt.Errorf("read directory file: larger than %d MiB", maxCSVBytes>>20)
	}
	// Excel saves "CSV" in Shift_JIS on a Japanese Windows and "CSV UTF-8"
	// with a byte order mark; both are read, and anything else is refused
	// with its line rather than imported as mojibake names.
	ierr := &ImportError{}
	data, err = io.ReadAll(csvfile.Decode(bytes.NewReader(data)))
	var ee *csvfile.EncodingError
	if errors.As(err, &ee) {
		kind := ProblemEncoding
		if ee.Mixed {
			kind = ProblemMixedEncoding
		}
		ierr.add(RowError{Line: ee.Line, Reason: ee.Reason, Kind: kind})
		return nil, ierr
	} else if err != nil {
		return nil, fmt.Errorf("read directory file: %w", err)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, ErrEmptyFile
	}
	if err != nil {
		return nil, fmt.Errorf("directory file header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(requiredColumns, h) && !slices.Contains(optionalColumns, h):
			ierr.add(RowError{Line: 1, Column: h, Reason: "unknown column (known: " + strings.Join(Columns(), ",") + ")", Kind: ProblemUnknownColumn})
		case col[h] != 0:
			ierr.add(RowError{Line: 1, Column: h, Reason: "column appears twice", Kind: ProblemDuplicateColumn})
		}
		col[h] = i + 1 // 0 means absent
	}
	for _, h := range requiredColumns {
		if col[h] == 0 {
			ierr.add(RowError{Line: 1, Column: h, Reason: "required column missing", Kind: ProblemMissingColumn})
		}
	}
	if len(ierr.Rows) > 0 {
		return nil, ierr
	}

	var people []Person
	seen := map[string]int{} // address or alias → line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			ierr.add(RowError{Line: pe.Line, Reason: pe.Err.Error(), Kind: ProblemCSVSyntax})
			continue
		} else if err != nil {
			return nil, fmt.Errorf("read directory file: %w", err)
		}
		line, _ := cr.FieldPos(0) // only valid after a successful Read
		if len(people) >= maxRows {
			return nil, fmt.Errorf("directory file has more than %d rows", maxRows)
		}
		if len(rec) != len(header) {
			ierr.add(RowError{Line: line, Reason: fmt.Sprintf("%d columns, want %d", len(rec), len(header)), Kind: ProblemColumnCount, Value: strconv.Itoa(len(rec))})
			continue
		}
		get := func(name string) string {
			if col[name] == 0 {
				return ""
			}
			return strings.TrimSpace(rec[col[name]-1])
		}
		bad := func(column, kind, value, reason string) {
			ierr.add(RowError{Line: line, Column: column, Reason: reason, Kind: kind, Value: value})
		}
		for i, f := range rec {
			if len(f) > maxFieldLen {
				bad(strings.ToLower(strings.TrimSpace(header[i])), ProblemTooLong, strconv.Itoa(maxFieldLen), fmt.Sprintf("longer than %d bytes", maxFieldLen))
			}
		}
		p := Person{Name: get("name"), Department: get("department"), Lang: get("lang")}
		addr, why := checkAddress(get("address"))
		if why != "" {
			bad("address", addressProblem(get("address")), get("address"), why)
		}
		p.Address = addr
		if d := get("deputy"); d != "" {
			dep, why := checkAddress(d)
			switch {
			case why != "":
				bad("deputy", addressProblem(d), d, why)
			case dep == addr:
				bad("deputy", ProblemSelfDeputy, d, "a person is not their own deputy")
			default:
				p.Deputy = dep
			}
		}
		if tz := get("time_zone"); tz != "" {
			if why := checkTimeZone(tz); why != "" {
				bad("time_zone", ProblemTimeZone, tz, why)
			} else {
				p.TimeZone = tz
			}
		}
		if p.Department == "" {
			bad("department", ProblemEmpty, "", "empty")
		} else if strings.ContainsAny(p.Department, ";:") {
			bad("department", ProblemDepartmentChars, p.Department, "must not contain ';' or ':'")
		}
		for _, g := range splitList(get("groups")) {
			if strings.Contains(g, ":") {
				bad("groups", ProblemGroupColon, g, fmt.Sprintf("group %q must not contain ':'", g))
				continue
			}
			p.Groups = append(p.Groups, g)
		}
		for _, r := range splitList(get("roles")) {
			role := Role(strings.ToLower(r))
			if !knownRole(role) {
				bad("roles", ProblemUnknownRole, r, fmt.Sprintf("unknown role %q (known: sender, approver, operator, auditor, admin)", r))
				continue
			}
			p.Roles = append(p.Roles, role)
		}
		for _, a := range splitList(get("aliases")) {
			alias, why := checkAddress(a)
			if why != "" {
				bad("aliases", addressProblem(a), a, why)
				continue
			}
			p.Aliases = append(p.Aliases, alias)
		}
		for _, s := range splitList(get("approver_of")) {
			scope, why := checkScope(s)
			if why != "" {
				bad("approver_of", ProblemBadScope, s, why)
				continue
			}
			p.ApproverOf = append(p.ApproverOf, scope)
		}
		for _, a := range append([]string{p.Address}, p.Aliases...) {
			if a == "" {
				continue
			}
			if prev, dup := seen[a]; dup {
				bad("address", ProblemDuplicateAddress, strconv.Itoa(prev), fmt.Sprintf("duplicate address %s (also on line %d)", a, prev))
				continue
			}
			seen[a] = line
		}
		people = append(people, p)
	}
	if len(ierr.Rows) > 0 || ierr.Truncated > 0 {
		return nil, ierr
	}
	if len(people) == 0 {
		return nil, ErrNoPeople
	}
	return people, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ";") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// addressProblem is the kind of checkAddress's complaint about s.
func addressProblem(s string) string {
	if s == "" {
		return ProblemEmpty
	}
	return ProblemBadAddress
}

// checkAddress returns the lower-cased bare addr-spec, or why s is not one.
func checkAddress(s string) (string, string) {
	if s == "" {
		return "", "empty address"
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Sprintf("bad address %q: %v", s, err)
	}
	if a.Name != "" || a.Address != s {
		return "", fmt.Sprintf("bad address %q: want a bare address like name@example.com", s)
	}
	at := strings.LastIndexByte(s, '@')
	if strings.HasPrefix(s[at+1:], "[") || !strings.Contains(s[at+1:], ".") {
		return "", fmt.Sprintf("bad address %q: domain must be a name with a dot", s)
	}
	return strings.ToLower(s), ""
}

// checkScope accepts "department:NAME", "group:NAME", "organization", and a
// bare department name.
func checkScope(s string) (string, string) {
	switch {
	case s == "organization":
		return s, ""
	case strings.HasPrefix(s, "department:") && len(s) > len("department:"):
		return s, ""
	case strings.HasPrefix(s, "group:") && len(s) > len("group:"):
		return s, ""
	case !strings.Contains(s, ":"):
		return "department:" + s, ""
	}
	return "", fmt.Sprintf("bad scope %q (want department:NAME, group:NAME or organization)", s)
}

// checkTimeZone says why tz is not an IANA time zone name, "" when it is.
// A path or the machine's "Local" would make every time shown to the
// person wrong, or fail later.
func checkTimeZone(tz string) string {
	if _, err := time.LoadLocation(tz); err != nil || strings.ContainsAny(tz, "\\.") || strings.HasPrefix(tz, "/") || strings.EqualFold(tz, "local") {
		return fmt.Sprintf("unknown time zone %q (want an IANA name such as Asia/Tokyo)", tz)
	}
	return ""
}
