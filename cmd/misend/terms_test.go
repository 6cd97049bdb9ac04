package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// runTermsCLI runs one misend command line in-process and returns what it
// printed.
func runTermsCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var c cli
	parser, err := kong.New(&c, kong.Name("misend"), kong.Exit(func(int) { t.Fatalf("exit on %v", args) }))
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		return "", err
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	runErr := ctx.Run(&c.Globals)
	os.Stdout = stdout
	w.Close()
	return string(<-done), runErr
}

func TestTermsAndDirectoryCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	csv := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(csv, []byte("address,name,department,groups,roles\n"+
		"miura@corp.example,三浦,部署A,X,sender\n"+
		"boss@corp.example,部長,部署A,,sender;approver\n"+
		"op@corp.example,運用,情シス,,operator\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("address,name,department,groups,roles\nnope,X,A,,sender\nx@corp.example,Y,A,,wizard\n"), 0o600)

	steps := []struct {
		args    []string
		wantOut string
		wantErr string
	}{
		{[]string{"directory", "import", "--db", db, bad}, "", "line 3, column roles"},
		{[]string{"directory", "import", "--db", db, "--org-domain", "corp.example", csv}, "imported 3 people", ""},
		{[]string{"terms", "add", "--db", db, "--scope", "department:部署A", "--weight", "0.83", "A-ORIGINAL-FRAMEWORK"}, "1 term(s)", ""},
		{[]string{"terms", "add", "--db", db, "--scope", "department:部署A", "--weight", "1.5", "x"}, "", "out of [0,1]"},
		{[]string{"terms", "add", "--db", db, "--scope", "team:A", "--weight", "0.5", "x"}, "", "bad scope"},
		{[]string{"terms", "rule", "--db", db, "--scope", "department:部署A", "--any"}, "any matched term", ""},
		{[]string{"terms", "propose", "--db", db, "--scope", "department:部署A", "--weight", "0.79", "--by", "miura@corp.example", "リスク分析"}, "", "not an operator"},
		{[]string{"terms", "propose", "--db", db, "--scope", "department:部署A", "--weight", "0.79", "--by", "op@corp.example", "リスク分析"}, "change 2 pending; approvers of department:部署A: boss@corp.example", ""},
		{[]string{"terms", "approve", "--db", db, "--by", "op@corp.example", "2"}, "", "not an approver"},
		{[]string{"terms", "approve", "--db", db, "--by", "boss@corp.example", "2"}, "change 2 approved", ""},
		{[]string{"terms", "except", "--db", db, "--scope", "department:部署A", "--for", "24h", "--by", "miura@corp.example", "リスク分析"}, "", "neither an operator nor an approver"},
		{[]string{"terms", "except", "--db", db, "--scope", "department:部署A", "--for", "24h", "--by", "boss@corp.example", "リスク分析"}, "exempt", ""},
		{[]string{"terms", "add", "--db", db, "--scope", "department:部署A", "--weight", "0.5", "秘密", " "}, "", "nothing changed"},
		{[]string{"terms", "list", "--db", db, "--exceptions"}, "リスク分析", ""},
	}
	for _, s := range steps {
		out, err := runTermsCLI(t, s.args...)
		switch {
		case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
			t.Errorf("%v: err = %v, want %q", s.args, err, s.wantErr)
		case s.wantErr == "" && err != nil:
			t.Errorf("%v: %v", s.args, err)
		case !strings.Contains(out, s.wantOut):
			t.Errorf("%v: output %q, want %q", s.args, out, s.wantOut)
		}
	}
	out, err := runTermsCLI(t, "terms", "list", "--db", db, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		Term   string
		Weight float64
	}
	if err := json.NewDecoder(bytes.NewReader([]byte(out))).Decode(&list); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if len(list) != 2 || list[0].Term != "A-ORIGINAL-FRAMEWORK" || list[1].Term != "リスク分析" || list[1].Weight != 0.79 {
		t.Errorf("list = %+v", list)
	}
	out, _ = runTermsCLI(t, "terms", "history", "--db", db, "--json")
	if !strings.Contains(out, `"status":"approved","decided_by":"boss@corp.example"`) {
		t.Errorf("history = %s", out)
	}
}
