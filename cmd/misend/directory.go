package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/store"
)

type directoryCmd struct {
	Import directoryImportCmd `cmd:"" help:"Replace the directory with a CSV file (header: address,name,department,groups,roles[,aliases,approver_of,lang,deputy,time_zone]) or an LDAP server's people."`
	List   directoryListCmd   `cmd:"" help:"Show the stored directory."`
}

type directoryImportCmd struct {
	File string `arg:"" optional:"" type:"existingfile" help:"CSV file; groups, roles, aliases and approver_of are lists separated by ';'."`

	LDAP           string `name:"ldap" placeholder:"URL" help:"Read the directory from this LDAP server (ldap:// or ldaps://) instead of a file."`
	Base           string `help:"LDAP: base DN of the people."`
	GroupBase      string `help:"LDAP: base DN of the groups (default --base)."`
	Filter         string `help:"LDAP: filter selecting people (default (&(objectClass=inetOrgPerson)(mail=*)))."`
	BindDN         string `name:"bind-dn" help:"LDAP: DN to bind as (default anonymous)."`
	PasswordFile   string `type:"existingfile" help:"LDAP: file holding the bind password (else $MISEND_LDAP_PASSWORD)."`
	StartTLS       bool   `name:"starttls" help:"LDAP: upgrade ldap:// with StartTLS, failing if the server cannot."`
	DepartmentAttr string `help:"LDAP: attribute holding the department (default departmentNumber, else ou)."`
	DeputyAttr     string `help:"LDAP: attribute holding a person's deputy approver, an address or a person's DN, e.g. secretary (default: not read)."`
	TimeZoneAttr   string `name:"time-zone-attr" help:"LDAP: attribute holding a person's own IANA time zone (default: not read)."`
	RolePrefix     string `default:"misend-" help:"LDAP: groups named PREFIXoperator, PREFIXapprover:department:NAME … carry misend roles."`
}

// source picks the CSV file or the LDAP server.
func (c *directoryImportCmd) source() (directory.Source, string, func(), error) {
	switch {
	case (c.File == "") == (c.LDAP == ""):
		return nil, "", nil, errors.New("give either a CSV file or --ldap URL")
	case c.File != "":
		f, err := os.Open(c.File)
		if err != nil {
			return nil, "", nil, err
		}
		return directory.CSV{R: f}, c.File, func() { f.Close() }, nil
	}
	if c.Base == "" {
		return nil, "", nil, errors.New("--ldap needs --base")
	}
	pw := os.Getenv("MISEND_LDAP_PASSWORD")
	if c.PasswordFile != "" {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return nil, "", nil, err
		}
		pw = strings.TrimRight(string(b), "\r\n")
	}
	src := directory.LDAP{URL: c.LDAP, StartTLS: c.StartTLS, BindDN: c.BindDN, Password: pw, Base: c.Base, GroupBase: c.GroupBase,
		Filter: c.Filter, DepartmentAttr: c.DepartmentAttr, RolePrefix: c.RolePrefix, DeputyAttr: c.DeputyAttr, TimeZoneAttr: c.TimeZoneAttr}
	return src, c.LDAP, func() {}, nil
}

func (c *directoryImportCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	src, name, done, err := c.source()
	if err != nil {
		return err
	}
	defer done()
	people, err := src.People(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing imported)", name, err)
	}
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := directory.Import(ctx, db, people, g.OrgDomain); err != nil {
		return err
	}
	d := directory.New(people, g.OrgDomain)
	fmt.Printf("imported %d people; organisation domains: %s\n", len(people), strings.Join(d.Domains(), ", "))
	return nil
}

type directoryListCmd struct {
	JSON bool `help:"One JSON object per person."`
}

func (c *directoryListCmd) Run(g *Globals) error {
	ctx := context.Background()
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := directory.Load(ctx, db)
	if err != nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		for _, p := range d.People() {
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ADDRESS\tNAME\tDEPARTMENT\tGROUPS\tROLES\tAPPROVER OF")
	for _, p := range d.People() {
		roles := make([]string, len(p.Roles))
		for i, r := range p.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Address, p.Name, p.Department, strings.Join(p.Groups, ";"), strings.Join(roles, ";"), strings.Join(p.ApproverOf, ";"))
	}
	return w.Flush()
}
