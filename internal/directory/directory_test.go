package directory

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

const goodCSV = `address,name,department,groups,roles,aliases,approver_of
sato@corp.example,佐藤 花子,営業部,Xプロジェクト;Y,sender;approver,hanako@corp.example,
suzuki@corp.example,鈴木 一郎,開発部,Xプロジェクト,sender,,
boss@corp.example,Boss,開発部,,sender;approver;admin,,group:Xプロジェクト;開発部
ops@corp.example,Ops,情報システム部,,operator;auditor,,
`

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), pgtest.Path(t, t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestImportLoadQueries(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	people, err := CSV{R: strings.NewReader(goodCSV)}.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := Import(ctx, db, people, nil); err != nil {
		t.Fatal(err)
	}
	d, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"department", d.DepartmentOf("SATO@corp.example"), "営業部"},
		{"department via alias", d.DepartmentOf("hanako@corp.example"), "営業部"},
		{"unknown department", d.DepartmentOf("x@other.example"), ""},
		{"groups", d.GroupsOf("sato@corp.example"), []string{"Xプロジェクト", "Y"}},
		{"approvers from role", d.ApproversOf("営業部"), []string{"sato@corp.example"}},
		{"approvers explicit", d.ApproversOf("開発部"), []string{"boss@corp.example"}},
		{"group approvers", d.ApproversOfScope("group:Xプロジェクト"), []string{"boss@corp.example"}},
		{"org approvers are admins", d.ApproversOfScope("organization"), []string{"boss@corp.example"}},
		{"role", d.HasRole("ops@corp.example", RoleOperator), true},
		{"no role", d.HasRole("suzuki@corp.example", RoleOperator), false},
		{"internal person", d.IsInternal("suzuki@corp.example"), true},
		{"internal domain", d.IsInternal("newhire@corp.example"), true},
		{"internal subdomain", d.IsInternal("x@jp.corp.example"), true},
		{"external lookalike", d.IsInternal("x@corp.example.evil"), false},
		{"external", d.IsInternal("tanaka@partner.example"), false},
		{"domains", d.Domains(), []string{"corp.example"}},
	}
	for _, tt := range tests {
		if !equal(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	p, ok := d.Person("hanako@corp.example")
	if !ok || p.Address != "sato@corp.example" || p.Name != "佐藤 花子" {
		t.Errorf("Person(alias) = %+v, %v", p, ok)
	}
}

func equal(a, b any) bool {
	switch x := a.(type) {
	case []string:
		return slices.Equal(x, b.([]string))
	}
	return a == b
}

func TestImportReplacesAtomically(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	people, err := ParseCSV(strings.NewReader(goodCSV))
	if err != nil {
		t.Fatal(err)
	}
	if err := Import(ctx, db, people, []string{"corp.example", "corp.co.jp"}); err != nil {
		t.Fatal(err)
	}
	// A second import with a row that violates the schema (duplicate alias
	// across people slips past a hand-built slice) must leave the first intact.
	bad := []Person{{Address: "a@corp.example", Department: "A"}, {Address: "a@corp.example", Department: "B"}}
	if err := Import(ctx, db, bad, nil); err == nil {
		t.Fatal("import with duplicate address succeeded")
	}
	d, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.People()) != 4 || d.DepartmentOf("sato@corp.example") != "営業部" || !d.IsInternal("x@corp.co.jp") {
		t.Fatalf("failed import changed the directory: %d people, %v", len(d.People()), d.Domains())
	}
	// A good import replaces everything.
	if err := Import(ctx, db, []Person{{Address: "new@corp.example", Department: "総務部"}}, nil); err != nil {
		t.Fatal(err)
	}
	d, _ = Load(ctx, db)
	if len(d.People()) != 1 || d.DepartmentOf("sato@corp.example") != "" || d.IsInternal("x@corp.co.jp") {
		t.Fatalf("import did not replace: %+v %v", d.People(), d.Domains())
	}
}

func TestParseCSVReportsEveryProblem(t *testing.T) {
	in := "address,name,department,groups,roles\n" +
		"ok@corp.example,OK,A,,sender\n" + // 2
		"not-an-address,X,A,,sender\n" + // 3
		"b@corp.example,B,A,,sender;boss\n" + // 4
		"ok@corp.example,Dup,A,,sender\n" + // 5
		"c@corp.example,C,A,,\n" + // 6 fine
		"d@corp.example,D\n" + // 7
		"\"e@corp.example\",E,,,sender\n" + // 8 empty department
		"Name <f@corp.example>,F,A,,sender\n" + // 9
		"g@corp.example,G,A,x:y,sender\n" + // 10
		"h@corp.example,\xff\xfe,A,,sender\n" // 11 bad UTF-8
	_, err := ParseCSV(strings.NewReader(in))
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *ImportError", err)
	}
	// Bad UTF-8 is reported on its own first: the rest can't be trusted.
	if len(ie.Rows) != 1 || ie.Rows[0].Line != 11 {
		t.Fatalf("utf-8: %v", err)
	}
	in = strings.Replace(in, "\xff\xfe", "H", 1)
	_, err = ParseCSV(strings.NewReader(in))
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *ImportError", err)
	}
	want := []struct {
		line   int
		column string
		reason string
	}{
		{3, "address", "bad address"},
		{4, "roles", `unknown role "boss"`},
		{5, "address", "duplicate address ok@corp.example (also on line 2)"},
		{7, "", "2 columns, want 5"},
		{8, "department", "empty"},
		{9, "address", "bare address"},
		{10, "groups", "must not contain ':'"},
	}
	if len(ie.Rows) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ie.Rows), len(want), err)
	}
	for i, w := range want {
		r := ie.Rows[i]
		if r.Line != w.line || r.Column != w.column || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("problem %d = %v, want line %d column %q containing %q", i, r, w.line, w.column, w.reason)
		}
	}
}

func TestParseCSVHeader(t *testing.T) {
	for _, in := range []string{
		"",
		"address,name,department,groups\nx@corp.example,X,A,\n",
		"address,name,department,groups,roles,shoe\nx@corp.example,X,A,,,\n",
		"address,address,name,department,groups,roles\n",
		"address,name,department,groups,roles\n",
	} {
		if _, err := ParseCSV(strings.NewReader(in)); err == nil {
			t.Errorf("ParseCSV(%q) accepted", in)
		}
	}
	// BOM, column order and CRLF as Excel writes them.
	p, err := ParseCSV(strings.NewReader("\xef\xbb\xbfroles,groups,department,name,address\r\nsender,,A,X,X@Corp.Example\r\n"))
	if err != nil || len(p) != 1 || p[0].Address != "x@corp.example" || p[0].Department != "A" {
		t.Fatalf("got %+v, %v", p, err)
	}
}

func TestPersonOf(t *testing.T) {
	d := New([]Person{{Address: "sato@corp.example", Aliases: []string{"s.sato@corp.example"}}}, []string{"corp.example"})
	var none *Directory
	cur := NewCurrent(d)
	for _, tt := range []struct {
		name string
		dir  Finder
		addr string
		want string
	}{
		{"the person's address", d, "sato@corp.example", "sato@corp.example"},
		{"an alias, as written", d, " S.Sato@Corp.Example ", "sato@corp.example"},
		{"nobody's", d, " Kato@Corp.Example", "kato@corp.example"},
		{"no directory", nil, "Sato@corp.example", "sato@corp.example"},
		{"a nil directory", none, "S.Sato@corp.example", "s.sato@corp.example"},
	} {
		if got := PersonOf(tt.dir, tt.addr); got != tt.want {
			t.Errorf("%s: PersonOf(%q) = %q, want %q", tt.name, tt.addr, got, tt.want)
		}
	}
	if got := cur.PersonOf("s.sato@corp.example"); got != "sato@corp.example" {
		t.Errorf("in force: %q", got)
	}
	cur.Store(New(nil, nil))
	if got := cur.PersonOf("s.sato@corp.example"); got != "s.sato@corp.example" {
		t.Errorf("after a new directory without the alias: %q", got)
	}
}
