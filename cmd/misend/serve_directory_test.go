package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/smtp"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/directory"
)

// TestServeFollowsDirectory: a directory an admin imports on the web page
// is in force for the next message, without a restart: the person moved
// to another department is decided as a member of it.
func TestServeFollowsDirectory(t *testing.T) {
	ctx := context.Background()
	s := startServed(t, []directory.Person{
		{Address: "sato@corp.example", Name: "Sato", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
		{Address: "admin@corp.example", Name: "Admin", Department: "情報システム部", Roles: []directory.Role{directory.RoleAdmin}},
	}, "127.0.0.1:0")
	db := s.db
	dir, _ := directory.Load(ctx, db)
	a, _ := auth.Open(ctx, db, dir)
	const pw = "a long enough password"
	if err := a.AddAccount(ctx, "admin@corp.example", pw, nil); err != nil {
		t.Fatal(err)
	}

	departmentOf := func(id string) string {
		t.Helper()
		msg := "From: sato@corp.example\r\nTo: admin@corp.example\r\nSubject: hello\r\nMessage-ID: <" + id + "@corp.example>\r\n\r\nhello\r\n"
		if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", []string{"admin@corp.example"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			var dept string
			err := db.QueryRowContext(ctx, `SELECT department FROM decisions WHERE message_id = ?`, id+"@corp.example").Scan(&dept)
			if err == nil {
				return dept
			}
			if !errors.Is(err, sql.ErrNoRows) {
				t.Fatal(err)
			}
		}
		t.Fatalf("no decision recorded for %s", id)
		return ""
	}
	if d := departmentOf("before"); d != "営業部" {
		t.Fatalf("before the import: department %q", d)
	}

	// The admin imports a directory in which Sato moved to 法務部.
	base := "http://" + s.HTTP.String()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	resp, err := c.Get(base + "/login?next=/directory")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {string(csrf.FindSubmatch(page)[1])}, "address": {"admin@corp.example"}, "password": {pw}, "next": {"/directory"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrf.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("directory page after sign-in: %d\n%.300s", resp.StatusCode, page)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", string(m[1]))
	fw, _ := mw.CreateFormFile("csv", "directory.csv")
	io.WriteString(fw, "address,name,department,groups,roles\nsato@corp.example,Sato,法務部,,sender\nadmin@corp.example,Admin,情報システム部,,admin\n")
	mw.Close()
	resp, err = c.Post(base+"/directory/import", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Query().Get("done") != "imported" {
		t.Fatalf("import: %d at %s", resp.StatusCode, resp.Request.URL)
	}

	if d := departmentOf("after"); d != "法務部" {
		t.Errorf("after the import: department %q, want 法務部", d)
	}
}
