package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/store"
)

type directoryCmd struct {
	Import directoryImportCmd `cmd:"" help:"Replace the directory with a CSV file (header: address,name,department,groups,roles[,aliases,approver_of,lang])."`
	List   directoryListCmd   `cmd:"" help:"Show the stored directory."`
}

type directoryImportCmd struct {
	File string `arg:"" type:"existingfile" help:"CSV file; groups, roles, aliases and approver_of are lists separated by ';'."`
}

func (c *directoryImportCmd) Run(g *Globals) error {
	ctx := context.Background()
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	people, err := directory.CSV{R: f}.People(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing imported)", c.File, err)
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
