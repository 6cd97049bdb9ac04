package directory

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or updates the directory's tables.
func Migrate(ctx context.Context, db *store.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("directory migrations: %w", err)
	}
	return db.Migrate(ctx, "directory", sub)
}

// Import replaces the stored directory with people and the organisation's
// domains (empty: derived from the people's addresses) in one transaction:
// either all of it is stored or nothing changes.
func Import(ctx context.Context, db *store.DB, people []Person, domains []string) error {
	if err := Migrate(ctx, db); err != nil {
		return err
	}
	d := New(people, domains)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("import directory: %w", err)
	}
	defer tx.Rollback()
	for _, t := range []string{"directory_approvers", "directory_roles", "directory_groups", "directory_aliases", "directory_people", "directory_domains"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("import directory: clear %s: %w", t, err)
		}
	}
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("import directory: %w", err)
		}
		return nil
	}
	for _, p := range people {
		if err := exec(`INSERT INTO directory_people (address, name, department, lang, deputy, time_zone) VALUES (?, ?, ?, ?, ?, ?)`,
			p.Address, p.Name, p.Department, p.Lang, p.Deputy, p.TimeZone); err != nil {
			return err
		}
		for _, a := range p.Aliases {
			if err := exec(`INSERT INTO directory_aliases (alias, address) VALUES (?, ?)`, a, p.Address); err != nil {
				return err
			}
		}
		for _, g := range p.Groups {
			if err := exec(`INSERT INTO directory_groups (address, grp) VALUES (?, ?)`, p.Address, g); err != nil {
				return err
			}
		}
		for _, r := range p.Roles {
			if err := exec(`INSERT INTO directory_roles (address, role) VALUES (?, ?)`, p.Address, string(r)); err != nil {
				return err
			}
		}
		for _, s := range p.ApproverOf {
			if err := exec(`INSERT INTO directory_approvers (scope, address) VALUES (?, ?)`, s, p.Address); err != nil {
				return err
			}
		}
	}
	for _, dom := range d.Domains() {
		if err := exec(`INSERT INTO directory_domains (domain) VALUES (?)`, dom); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("import directory: commit: %w", err)
	}
	return nil
}

// Load reads the stored directory. An empty directory (never imported) is
// not an error: every address is then unknown and external.
func Load(ctx context.Context, db *store.DB) (*Directory, error) {
	if err := Migrate(ctx, db); err != nil {
		return nil, err
	}
	byAddr := map[string]*Person{}
	var order []string
	rows, err := db.QueryContext(ctx, `SELECT address, name, department, lang, deputy, time_zone FROM directory_people ORDER BY address`)
	if err != nil {
		return nil, fmt.Errorf("load directory: %w", err)
	}
	for rows.Next() {
		p := &Person{}
		if err := rows.Scan(&p.Address, &p.Name, &p.Department, &p.Lang, &p.Deputy, &p.TimeZone); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load directory: %w", err)
		}
		byAddr[p.Address] = p
		order = append(order, p.Address)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load directory: %w", err)
	}
	pairs := func(q string, fn func(p *Person, v string)) error {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("load directory: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var addr, v string
			if err := rows.Scan(&addr, &v); err != nil {
				return fmt.Errorf("load directory: %w", err)
			}
			if p := byAddr[addr]; p != nil {
				fn(p, v)
			}
		}
		return rows.Err()
	}
	if err := pairs(`SELECT address, alias FROM directory_aliases ORDER BY alias`, func(p *Person, v string) { p.Aliases = append(p.Aliases, v) }); err != nil {
		return nil, err
	}
	if err := pairs(`SELECT address, grp FROM directory_groups ORDER BY grp`, func(p *Person, v string) { p.Groups = append(p.Groups, v) }); err != nil {
		return nil, err
	}
	if err := pairs(`SELECT address, role FROM directory_roles ORDER BY role`, func(p *Person, v string) { p.Roles = append(p.Roles, Role(v)) }); err != nil {
		return nil, err
	}
	if err := pairs(`SELECT address, scope FROM directory_approvers ORDER BY scope`, func(p *Person, v string) { p.ApproverOf = append(p.ApproverOf, v) }); err != nil {
		return nil, err
	}
	var domains []string
	rows, err = db.QueryContext(ctx, `SELECT domain FROM directory_domains ORDER BY domain`)
	if err != nil {
		return nil, fmt.Errorf("load directory: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("load directory: %w", err)
		}
		domains = append(domains, strings.ToLower(d))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load directory: %w", err)
	}
	people := make([]Person, 0, len(order))
	for _, a := range order {
		people = append(people, *byAddr[a])
	}
	return New(people, domains), nil
}
