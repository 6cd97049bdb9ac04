package synth

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WriteMaildir writes the history as dir/<user>/<folder>/{cur,new,tmp}, one
// file per copy: a message between two insiders sits in the sender's sent
// folder and the recipient's inbox with the same Message-ID, as real
// exports have it. It returns the number of messages and bytes written.
func (o *Org) WriteMaildir(dir string) (msgs int, size int64, err error) {
	made := map[string]bool{}
	err = o.Messages(func(m *Mail) error {
		msgs++
		for i, c := range m.Copies {
			box := filepath.Join(dir, c.User, string(c.Folder))
			if !made[box] {
				for _, sub := range []string{"cur", "new", "tmp"} {
					if err := os.MkdirAll(filepath.Join(box, sub), 0o755); err != nil {
						return fmt.Errorf("maildir: %w", err)
					}
				}
				made[box] = true
			}
			// Unique, stable names: time, message number, copy number.
			name := fmt.Sprintf("%d.M%dC%d.synth:2,S", m.Date.Unix(), msgs, i)
			data := m.Bytes(c.Folder)
			if err := os.WriteFile(filepath.Join(box, "cur", name), data, 0o644); err != nil {
				return fmt.Errorf("maildir: %w", err)
			}
			size += int64(len(data))
		}
		return nil
	})
	return msgs, size, err
}

// WriteMbox writes one mboxrd file per user and folder, dir/<user>/<folder>.mbox,
// with LF line ends. Files stay open through the run only in a bounded
// number; others are reopened for append.
func (o *Org) WriteMbox(dir string) (msgs int, size int64, err error) {
	w := &mboxWriter{dir: dir, open: map[string]*mboxFile{}}
	defer func() {
		if cerr := w.closeAll(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	var lf bytes.Buffer
	err = o.Messages(func(m *Mail) error {
		msgs++
		for _, c := range m.Copies {
			f, err := w.file(c.User, c.Folder)
			if err != nil {
				return err
			}
			lf.Reset()
			lf.WriteString("From " + mboxSender(m.From) + " " + m.Date.UTC().Format("Mon Jan _2 15:04:05 2006") + "\n")
			writeMboxrd(&lf, m.Bytes(c.Folder))
			lf.WriteString("\n")
			n, err := f.w.Write(lf.Bytes())
			if err != nil {
				return fmt.Errorf("mbox: %w", err)
			}
			size += int64(n)
		}
		return nil
	})
	return msgs, size, err
}

func mboxSender(from string) string {
	if from == "" || strings.ContainsAny(from, " \t") {
		return "MAILER-DAEMON"
	}
	return from
}

// writeMboxrd converts CRLF to LF and quotes ^>*From lines.
func writeMboxrd(b *bytes.Buffer, raw []byte) {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		var line []byte
		if i < 0 {
			line, raw = raw, nil
		} else {
			line, raw = raw[:i], raw[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) {
			b.WriteByte('>')
		}
		b.Write(line)
		b.WriteByte('\n')
	}
}

type mboxFile struct {
	f *os.File
	w *bufio.Writer
}

type mboxWriter struct {
	dir  string
	open map[string]*mboxFile
	// order is the files in the order opened, for closing some when too
	// many are open.
	order []string
}

const maxOpenMbox = 256

func (w *mboxWriter) file(user string, folder Folder) (*mboxFile, error) {
	p := filepath.Join(w.dir, user, string(folder)+".mbox")
	if f := w.open[p]; f != nil {
		return f, nil
	}
	if len(w.open) >= maxOpenMbox {
		old := w.order[0]
		w.order = w.order[1:]
		if err := w.open[old].close(); err != nil {
			return nil, err
		}
		delete(w.open, old)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("mbox: %w", err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("mbox: %w", err)
	}
	mf := &mboxFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	w.open[p] = mf
	w.order = append(w.order, p)
	return mf, nil
}

func (f *mboxFile) close() error {
	if err := f.w.Flush(); err != nil {
		f.f.Close()
		return fmt.Errorf("mbox: %w", err)
	}
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("mbox: %w", err)
	}
	return nil
}

func (w *mboxWriter) closeAll() error {
	var first error
	for _, p := range w.order {
		if err := w.open[p].close(); err != nil && first == nil {
			first = err
		}
	}
	w.open, w.order = nil, nil
	return first
}

// WriteDirectoryCSV writes the staff directory in the format
// `misend directory import` reads: address,name,department,groups,roles.
func (o *Org) WriteDirectoryCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"address", "name", "department", "groups", "roles"}); err != nil {
		return fmt.Errorf("directory csv: %w", err)
	}
	for _, p := range o.People {
		var gs []string
		for _, g := range p.Groups {
			gs = append(gs, o.Groups[g].Name)
		}
		rec := []string{p.Address, p.Name, o.Departments[p.Dept].Name, strings.Join(gs, ";"), strings.Join(p.Roles, ";")}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("directory csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("directory csv: %w", err)
	}
	return nil
}
