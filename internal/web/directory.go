package web

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/directory"
)

type deptRow struct {
	Name      string
	People    int
	Approvers []string
}

type groupRow struct {
	Name    string
	Members []string
}

type directoryData struct {
	People      []directory.Person
	Total       int
	Query, Dept string
	Departments []deptRow
	Groups      []groupRow
	Domains     []string
	OrgApprove  []string
	CanImport   bool
	ImportError string          // why a file was refused, when not row by row
	Problems    []template.HTML // why it was refused, row by row
}

// maxPeopleShown keeps the page small for a large organisation; the
// filter finds anyone.
const maxPeopleShown = 500

func (w *Web) directoryData(r *http.Request, q *req) directoryData {
	dir := w.Directory()
	d := directoryData{Query: strings.TrimSpace(r.URL.Query().Get("q")), Dept: r.URL.Query().Get("dept"), Domains: dir.Domains(),
		OrgApprove: dir.ApproversOfScope("organization"), CanImport: w.o.DB != nil && q.p.Has(auth.RoleAdmin)}
	depts := map[string]*deptRow{}
	groups := map[string]*groupRow{}
	needle := strings.ToLower(d.Query)
	for _, p := range dir.People() {
		if depts[p.Department] == nil {
			depts[p.Department] = &deptRow{Name: p.Department, Approvers: dir.ApproversOf(p.Department)}
		}
		depts[p.Department].People++
		for _, g := range p.Groups {
			if groups[g] == nil {
				groups[g] = &groupRow{Name: g}
			}
			groups[g].Members = append(groups[g].Members, p.Address)
		}
		if d.Dept != "" && p.Department != d.Dept {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(p.Address+" "+p.Name+" "+p.Department), needle) {
			continue
		}
		d.Total++
		if len(d.People) < maxPeopleShown {
			d.People = append(d.People, p)
		}
	}
	for _, v := range depts {
		d.Departments = append(d.Departments, *v)
	}
	slices.SortFunc(d.Departments, func(a, b deptRow) int { return strings.Compare(a.Name, b.Name) })
	for _, v := range groups {
		d.Groups = append(d.Groups, *v)
	}
	slices.SortFunc(d.Groups, func(a, b groupRow) int { return strings.Compare(a.Name, b.Name) })
	return d
}

func (w *Web) directoryPage(rw http.ResponseWriter, r *http.Request, q *req) {
	w.render(rw, r, q, http.StatusOK, "directory", page{Title: "title.directory", Notice: notice(r), Data: w.directoryData(r, q)})
}

// directoryImport replaces the directory with an uploaded CSV (the same
// format as `misend directory import`): all of it or, on any error,
// nothing.
func (w *Web) directoryImport(rw http.ResponseWriter, r *http.Request, q *req) {
	if w.o.DB == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	f, _, err := r.FormFile("csv")
	if err != nil {
		w.fail(rw, r, q, http.StatusBadRequest, "err.badinput")
		return
	}
	defer f.Close()
	people, err := directory.ParseCSV(f)
	if err == nil && len(people) == 0 {
		err = directory.ErrNoPeople
	}
	if err == nil {
		err = directory.Import(r.Context(), w.o.DB, people, w.Directory().Domains())
	}
	var dir *directory.Directory
	if err == nil {
		dir, err = directory.Load(r.Context(), w.o.DB)
	}
	if err != nil {
		d := w.directoryData(r, q)
		d.ImportError, d.Problems = importProblems(q.lang, err)
		w.render(rw, r, q, http.StatusBadRequest, "directory", page{Title: "title.directory", Error: "err.import", Data: d})
		return
	}
	w.SetDirectory(dir)
	if w.o.DirectoryChanged != nil {
		w.o.DirectoryChanged(dir)
	}
	w.record(r.Context(), r, audit.Entry{Actor: q.p.Address, Role: "admin", Action: audit.DirImport, Detail: plural(len(people), "person", "people")})
	http.Redirect(rw, r, "/directory?done=imported", http.StatusSeeOther)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// importProblems says in lang why a directory file was refused: each
// problem with its line, column and reason, the file's own spellings
// (column names, roles, addresses) as code; a reason the catalogue has no
// words for in the program's English.
func importProblems(lang string, err error) (string, []template.HTML) {
	var ie *directory.ImportError
	switch {
	case errors.Is(err, directory.ErrEmptyFile):
		return tr(lang, "dir.p.emptyfile"), nil
	case errors.Is(err, directory.ErrNoPeople):
		return tr(lang, "dir.p.nopeople"), nil
	case !errors.As(err, &ie):
		return err.Error(), nil
	}
	code := func(s string) string { return "<code>" + html.EscapeString(s) + "</code>" }
	codes := func(list []string) string {
		var out []string
		for _, s := range list {
			out = append(out, code(s))
		}
		return strings.Join(out, tr(lang, "dir.p.sep"))
	}
	var roles []string
	for _, r := range directory.Roles {
		roles = append(roles, string(r))
	}
	var out []template.HTML
	for _, row := range ie.Rows {
		where := html.EscapeString(tr(lang, "dir.p.line", row.Line))
		if row.Column != "" {
			where = html.EscapeString(tr(lang, "dir.p.column", row.Line, "\x00")) // the column is code
			where = strings.Replace(where, "\x00", code(row.Column), 1)
		}
		why := html.EscapeString(row.Reason)
		if _, ok := messages["dir.p."+row.Kind]; ok && row.Kind != "" {
			// The catalogue's sentences are ours; only what comes from the
			// file is escaped into them.
			f := html.EscapeString(tr(lang, "dir.p."+row.Kind))
			switch row.Kind {
			case directory.ProblemUnknownColumn:
				why = fmt.Sprintf(f, codes(directory.Columns()))
			case directory.ProblemUnknownRole:
				why = fmt.Sprintf(f, code(row.Value), codes(roles))
			case directory.ProblemBadScope:
				why = fmt.Sprintf(f, code(row.Value), codes(strings.Split(tr(lang, "dir.p.scopeforms"), "|")))
			case directory.ProblemBadAddress, directory.ProblemGroupColon, directory.ProblemSelfDeputy, directory.ProblemTimeZone:
				why = fmt.Sprintf(f, code(row.Value))
			case directory.ProblemColumnCount, directory.ProblemTooLong, directory.ProblemDuplicateAddress:
				why = fmt.Sprintf(f, html.EscapeString(row.Value))
			default:
				why = f
			}
		}
		out = append(out, template.HTML(where+tr(lang, "dir.p.colon")+why))
	}
	if ie.Truncated > 0 {
		out = append(out, template.HTML(html.EscapeString(tr(lang, "dir.p.more", ie.Truncated))))
	}
	return tr(lang, "dir.p.count", len(ie.Rows)+ie.Truncated), out
}
