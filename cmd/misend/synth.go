package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/misend/misend/internal/synth"
)

type synthCmd struct {
	Seed      uint64  `help:"Seed; the same seed writes the same bytes." default:"1"`
	People    int     `help:"Number of staff." default:"1000"`
	Days      int     `help:"Days of history." default:"365"`
	Start     string  `help:"First day of history (YYYY-MM-DD, JST)." default:"2025-04-01"`
	Rate      float64 `help:"New conversations a person starts per working day; scales the volume." default:"0.22"`
	Domain    string  `help:"The organisation's mail domain." default:"corp.example"`
	Format    string  `help:"History format." enum:"maildir,mbox" default:"mbox"`
	Out       string  `help:"Directory for the history and directory.csv." type:"path"`
	Scenarios string  `help:"Directory for the demo scenario messages (.eml)." type:"path"`
}

func (c *synthCmd) Run(g *Globals) error {
	if c.Out == "" && c.Scenarios == "" {
		return fmt.Errorf("synth: give --out, --scenarios or both")
	}
	start, err := time.ParseInLocation("2006-01-02", c.Start, time.FixedZone("JST", 9*3600))
	if err != nil {
		return fmt.Errorf("synth: start: %w", err)
	}
	org, err := synth.New(c.Seed, synth.Options{People: c.People, Days: c.Days, Start: start, Rate: c.Rate, Domain: c.Domain})
	if err != nil {
		return err
	}
	t0 := time.Now()
	if c.Out != "" {
		if err := os.MkdirAll(c.Out, 0o755); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		if err := writeDirectory(org, filepath.Join(c.Out, "directory.csv")); err != nil {
			return err
		}
		var msgs int
		var size int64
		if c.Format == "maildir" {
			msgs, size, err = org.WriteMaildir(c.Out)
		} else {
			msgs, size, err = org.WriteMbox(c.Out)
		}
		if err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		fmt.Printf("synth: %d people, %d departments, %d partners, %d messages (%.1f MB in mailboxes) over %d days to %s as %s in %s\n",
			len(org.People), len(org.Departments), len(org.Partners), msgs, float64(size)/1e6, c.Days, c.Out, c.Format, time.Since(t0).Round(time.Millisecond))
	}
	if c.Scenarios != "" {
		sc, err := org.Scenarios()
		if err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		if err := os.MkdirAll(c.Scenarios, 0o755); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		mistakes := 0
		for i, s := range sc {
			if s.Mistake {
				mistakes++
			}
			name := filepath.Join(c.Scenarios, fmt.Sprintf("%02d-%s.eml", i+1, s.Name))
			if err := os.WriteFile(name, s.Raw, 0o644); err != nil {
				return fmt.Errorf("synth: %w", err)
			}
		}
		fmt.Printf("synth: %d scenario messages (%d mistakes, %d honest) to %s\n", len(sc), mistakes, len(sc)-mistakes, c.Scenarios)
	}
	return nil
}

func writeDirectory(org *synth.Org, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	w := bufio.NewWriter(f)
	if err := org.WriteDirectoryCSV(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("synth: %w", err)
	}
	return f.Close()
}
