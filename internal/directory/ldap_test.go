package directory

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/misend/misend/internal/testneeds"
)

const (
	ldapSuffix = "dc=corp,dc=example"
	ldapAdmin  = "cn=admin,dc=corp,dc=example"
	ldapPass   = "s3cret-test-only"
)

// slapd is a private OpenLDAP server on a loopback port, with its own
// configuration and database in a temporary directory.
type slapd struct {
	URL string
}

// startSlapd starts OpenLDAP on loopback and loads ldif. test.sh installs
// it (integration/install-servers.sh); a missing slapd fails the test
// where servers are required and skips it elsewhere.
func startSlapd(t *testing.T, ldif string) *slapd {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/slapd"); err != nil {
		testneeds.Missing(t, "OpenLDAP", "/usr/sbin/slapd: %v (apt-get install slapd ldap-utils)", err)
	}
	if _, err := exec.LookPath("ldapadd"); err != nil {
		testneeds.Missing(t, "OpenLDAP", "ldapadd (ldap-utils) is not installed")
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "db"), 0o700)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := fmt.Sprintf(`include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile %[1]s/slapd.pid
argsfile %[1]s/slapd.args
database mdb
maxsize 16777216
suffix "%[2]s"
rootdn "%[3]s"
rootpw %[4]s
directory %[1]s/db
access to * by dn.exact="%[3]s" write by users read by anonymous auth
`, dir, ldapSuffix, ldapAdmin, ldapPass)
	confPath := filepath.Join(dir, "slapd.conf")
	os.WriteFile(confPath, []byte(conf), 0o600)
	url := "ldap://" + addr
	// -d 0 keeps slapd in the foreground, so the test owns the process.
	cmd := exec.Command("/usr/sbin/slapd", "-f", confPath, "-h", url+"/", "-d", "0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start slapd: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slapd did not listen on %s: %s", addr, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	add := exec.Command("ldapadd", "-x", "-H", url, "-D", ldapAdmin, "-w", ldapPass)
	add.Stdin = strings.NewReader(ldif)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ldapadd: %v\n%s", err, out)
	}
	return &slapd{URL: url}
}

// ldifValue writes attr: value, base64-encoded (attr:: …) when LDIF requires it.
func ldifValue(attr, v string) string {
	safe := utf8.ValidString(v) && v != "" && v[0] != ' ' && v[0] != ':' && v[0] != '<'
	for _, r := range v {
		if r >= 0x80 || r == '\n' || r == '\r' || r == 0 {
			safe = false
		}
	}
	if safe {
		return attr + ": " + v + "\n"
	}
	return attr + ":: " + base64.StdEncoding.EncodeToString([]byte(v)) + "\n"
}

type ldifPerson struct {
	uid, cn, display, dept, lang string
	mails                        []string
}

type ldifGroup struct {
	cn      string
	members []string // uids under ou=people
	unique  bool     // groupOfUniqueNames
}

func buildLDIF(ou string, people []ldifPerson, groups []ldifGroup) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, ldapSuffix, ou)
	fmt.Fprintf(&b, "dn: ou=groups,ou=%s,%s\nobjectClass: organizationalUnit\nou: groups\n\n", ou, ldapSuffix)
	for _, p := range people {
		fmt.Fprintf(&b, "dn: uid=%s,ou=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\nsn: %s\n", p.uid, ou, ldapSuffix, p.uid, p.uid)
		b.WriteString(ldifValue("cn", p.cn))
		if p.display != "" {
			b.WriteString(ldifValue("displayName", p.display))
		}
		if p.dept != "" {
			b.WriteString(ldifValue("departmentNumber", p.dept))
		}
		if p.lang != "" {
			b.WriteString(ldifValue("preferredLanguage", p.lang))
		}
		for _, m := range p.mails {
			b.WriteString(ldifValue("mail", m))
		}
		b.WriteString("\n")
	}
	for _, g := range groups {
		class, attr := "groupOfNames", "member"
		if g.unique {
			class, attr = "groupOfUniqueNames", "uniqueMember"
		}
		fmt.Fprintf(&b, "dn: %scn=%s,ou=groups,ou=%s,%s\nobjectClass: %s\n", "", ldapEscapeRDN(g.cn), ou, ldapSuffix, class)
		b.WriteString(ldifValue("cn", g.cn))
		for _, m := range g.members {
			// Written the way administrators do: spaces after commas,
			// upper-case attribute names.
			b.WriteString(ldifValue(attr, fmt.Sprintf("UID=%s, ou=%s, %s", m, ou, ldapSuffix)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func ldapEscapeRDN(s string) string {
	r := strings.NewReplacer(",", `\,`, "+", `\+`, `"`, `\"`, `\`, `\\`, "<", `\<`, ">", `\>`, ";", `\;`, "=", `\=`)
	return r.Replace(s)
}

func TestLDAPSource(t *testing.T) {
	if testing.Short() {
		t.Skip("starts OpenLDAP")
	}
	good := buildLDIF("people", []ldifPerson{
		{uid: "sato", cn: "Sato Hanako", display: "佐藤 花子", dept: "営業部", lang: "ja", mails: []string{"Sato@corp.example", "hanako@corp.example"}},
		{uid: "suzuki", cn: "鈴木 一郎", dept: "開発部", mails: []string{"suzuki@corp.example"}},
		{uid: "boss", cn: "Boss", dept: "開発部", mails: []string{"boss@corp.example"}},
		{uid: "ops", cn: "Ops", dept: "情報システム部", mails: []string{"ops@corp.example"}},
	}, []ldifGroup{
		{cn: "Xプロジェクト", members: []string{"sato", "suzuki"}},
		{cn: "Y", members: []string{"sato"}, unique: true},
		{cn: "misend-operator", members: []string{"ops"}},
		{cn: "misend-auditor", members: []string{"ops"}},
		{cn: "misend-admin", members: []string{"boss"}},
		{cn: "misend-approver:group:Xプロジェクト", members: []string{"boss"}},
		{cn: "misend-approver:開発部", members: []string{"boss"}},
	})
	bad := buildLDIF("bad", []ldifPerson{
		{uid: "nodept", cn: "No Dept", mails: []string{"nodept@corp.example"}},
		{uid: "badmail", cn: "Bad", dept: "営業部", mails: []string{"not an address"}},
		{uid: "dup", cn: "Dup", dept: "営業部", mails: []string{"nodept@corp.example"}},
		{uid: "wizard", cn: "Wizard", dept: "営業部", mails: []string{"wizard@corp.example"}},
	}, []ldifGroup{{cn: "misend-wizard", members: []string{"wizard"}}})
	srv := startSlapd(t, fmt.Sprintf("dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: corp\n\n", ldapSuffix)+good+bad)
	ctx := context.Background()

	src := LDAP{URL: srv.URL, BindDN: ldapAdmin, Password: ldapPass, Base: "ou=people," + ldapSuffix}
	people, err := src.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byAddr := map[string]Person{}
	for _, p := range people {
		byAddr[p.Address] = p
	}
	sato := byAddr["sato@corp.example"]
	if len(people) != 4 || sato.Name != "佐藤 花子" || sato.Department != "営業部" || sato.Lang != "ja" ||
		!slices.Equal(sato.Aliases, []string{"hanako@corp.example"}) || !slices.Equal(sato.Groups, []string{"Xプロジェクト", "Y"}) ||
		!slices.Equal(sato.Roles, []Role{RoleSender}) {
		t.Fatalf("people = %+v", people)
	}
	if p := byAddr["suzuki@corp.example"]; p.Name != "鈴木 一郎" {
		t.Errorf("cn as the name when there is no displayName: %+v", p)
	}
	boss := byAddr["boss@corp.example"]
	if !slices.Contains(boss.Roles, RoleAdmin) || !slices.Contains(boss.Roles, RoleApprover) || len(boss.Groups) != 0 {
		t.Errorf("boss = %+v", boss)
	}
	if ops := byAddr["ops@corp.example"]; !slices.Contains(ops.Roles, RoleOperator) || !slices.Contains(ops.Roles, RoleAuditor) {
		t.Errorf("ops = %+v", ops)
	}

	// Stored like a CSV import and read back by everything else.
	db := openDB(t)
	if err := Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}
	d, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if d.DepartmentOf("hanako@corp.example") != "営業部" || !d.InGroup("suzuki@corp.example", "Xプロジェクト") ||
		!slices.Equal(d.ApproversOfScope("group:Xプロジェクト"), []string{"boss@corp.example"}) ||
		!slices.Equal(d.ApproversOfScope("department:開発部"), []string{"boss@corp.example"}) || !d.HasRole("ops@corp.example", RoleOperator) {
		t.Errorf("loaded directory: %+v", d.People())
	}

	// Every problem of a bad subtree at once, by DN and attribute; nothing returned.
	_, err = LDAP{URL: srv.URL, BindDN: ldapAdmin, Password: ldapPass, Base: "ou=bad," + ldapSuffix}.People(ctx)
	var lerr *LDAPImportError
	if !errors.As(err, &lerr) {
		t.Fatalf("bad subtree: %v", err)
	}
	for _, want := range []string{
		"uid=nodept,ou=bad,dc=corp,dc=example, attribute departmentNumber: no department",
		"uid=badmail,ou=bad,dc=corp,dc=example, attribute mail: bad address",
		"uid=dup,ou=bad,dc=corp,dc=example, attribute mail: duplicate address nodept@corp.example",
		`uid=wizard,ou=bad,dc=corp,dc=example, attribute group: role group "misend-wizard": unknown role "wizard"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}

	for name, src := range map[string]LDAP{
		"wrong password": {URL: srv.URL, BindDN: ldapAdmin, Password: "wrong", Base: ldapSuffix},
		"anonymous":      {URL: srv.URL, Base: "ou=people," + ldapSuffix}, // the ACL gives anonymous nothing to read
		"no such base":   {URL: srv.URL, BindDN: ldapAdmin, Password: ldapPass, Base: "ou=nowhere," + ldapSuffix},
		"nobody there":   {URL: "ldap://127.0.0.1:1", Base: ldapSuffix, Timeout: time.Second},
		"no base":        {URL: srv.URL},
		"starttls":       {URL: srv.URL, StartTLS: true, BindDN: ldapAdmin, Password: ldapPass, Base: ldapSuffix}, // no certificate configured
	} {
		if _, err := src.People(ctx); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}

	// A caller that gives up ends the search.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := src.People(cctx); err == nil {
		t.Error("cancelled context: no error")
	}
}

// TestLDAPImportCommand runs misend directory import --ldap on the built
// binary: the people arrive, and a failing import leaves the stored
// directory as it was.
func TestLDAPImportCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts OpenLDAP and builds misend")
	}
	srv := startSlapd(t, fmt.Sprintf("dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: corp\n\n", ldapSuffix)+
		buildLDIF("people", []ldifPerson{
			{uid: "sato", cn: "佐藤 花子", dept: "営業部", mails: []string{"sato@corp.example"}},
			{uid: "boss", cn: "Boss", dept: "営業部", mails: []string{"boss@corp.example"}},
		}, []ldifGroup{{cn: "misend-approver", members: []string{"boss"}}}))
	dir := t.TempDir()
	bin := filepath.Join(dir, "misend")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/misend/misend/cmd/misend").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "m.db")
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte(ldapPass+"\n"), 0o600)
	run := func(args ...string) (string, error) {
		out, err := exec.Command(bin, append([]string{"--db", db}, args...)...).CombinedOutput()
		return string(out), err
	}
	ldapArgs := []string{"directory", "import", "--ldap", srv.URL, "--base", "ou=people," + ldapSuffix, "--bind-dn", ldapAdmin}
	if out, err := run(append(ldapArgs, "--password-file", pwFile)...); err != nil || !strings.Contains(out, "imported 2 people; organisation domains: corp.example") {
		t.Fatalf("import (%v): %s", err, out)
	}
	out, err := run("directory", "list", "--json")
	if err != nil || !strings.Contains(out, `"address":"boss@corp.example","name":"Boss","department":"営業部","roles":["approver","sender"]`) {
		t.Fatalf("list (%v): %s", err, out)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("wrong"), 0o600)
	for _, args := range [][]string{
		append(slices.Clone(ldapArgs), "--password-file", bad),
		{"directory", "import", "--ldap", srv.URL},
		{"directory", "import"},
	} {
		if out, err := run(args...); err == nil {
			t.Errorf("%v succeeded: %s", args, out)
		}
	}
	if after, _ := run("directory", "list", "--json"); after != out {
		t.Errorf("failed imports changed the directory:\n%s\nwas\n%s", after, out)
	}
}

// TestLDAPDeputyAndTimeZone: with --deputy-attr and --time-zone-attr the
// deputy is read as a person's DN (inetOrgPerson's secretary) or an
// address, and the zone as an IANA name; a deputy nobody read or a zone
// that is none is refused naming the entry and attribute.
func TestLDAPDeputyAndTimeZone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts OpenLDAP")
	}
	people := buildLDIF("staff", []ldifPerson{
		{uid: "bucho", cn: "Bucho", dept: "営業部", mails: []string{"bucho@corp.example"}},
		{uid: "jicho", cn: "Jicho", dept: "営業部", mails: []string{"jicho@corp.example"}},
		{uid: "kacho", cn: "Kacho", dept: "営業部", mails: []string{"kacho@corp.example"}},
	}, nil)
	// The deputy and zone attributes, added to the entries as written.
	people = strings.Replace(people, "uid: bucho\n", "uid: bucho\nsecretary: uid=jicho, ou=staff, "+ldapSuffix+"\nl: America/New_York\n", 1)
	people = strings.Replace(people, "uid: kacho\n", "uid: kacho\nemployeeType: bucho@corp.example\n", 1)
	bad := buildLDIF("bad", []ldifPerson{
		{uid: "a", cn: "A", dept: "営業部", mails: []string{"a@corp.example"}},
	}, nil)
	bad = strings.Replace(bad, "uid: a\n", "uid: a\nsecretary: uid=gone,ou=bad,"+ldapSuffix+"\nl: Asia/Osaka\n", 1)
	srv := startSlapd(t, fmt.Sprintf("dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: corp\n\n", ldapSuffix)+people+bad)
	ctx := context.Background()

	got, err := LDAP{URL: srv.URL, BindDN: ldapAdmin, Password: ldapPass, Base: "ou=staff," + ldapSuffix,
		DeputyAttr: "secretary", TimeZoneAttr: "l"}.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Person{}
	for _, p := range got {
		by[p.Address] = p
	}
	if p := by["bucho@corp.example"]; p.Deputy != "jicho@corp.example" || p.TimeZone != "America/New_York" {
		t.Errorf("bucho: %+v", p)
	}
	// A deputy written as an address, in an attribute of the directory's
	// own choosing.
	byAddr, err := LDAP{URL: srv.URL, BindDN: ldapAdmin, Password: ldapPass, Base: "ou=staff," + ldapSuffix, DeputyAttr: "employeeType"}.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(byAddr, func(p Person) bool { return p.Address == "kacho@corp.example" }); i < 0 || byAddr[i].Deputy != "bucho@corp.example" {
		t.Errorf("kacho: %+v", byAddr)
	}
	// Without the options nothing of it is read.
	plain, err := LDAP{URL: srv.URL, BindDN: ldapAdmin, Password: ldapPass, Base: "ou=staff," + ldapSuffix}.People(ctx)
	if err != nil || slices.ContainsFunc(plain, func(p Person) bool { return p.Deputy != "" || p.TimeZone != "" }) {
		t.Errorf("read without being asked: %+v, %v", plain, err)
	}

	_, err = LDAP{URL: srv.URL, BindDN: ldapAdmin, Password: ldapPass, Base: "ou=bad," + ldapSuffix,
		DeputyAttr: "secretary", TimeZoneAttr: "l"}.People(ctx)
	for _, want := range []string{"attribute secretary: deputy", "attribute l: unknown time zone"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
