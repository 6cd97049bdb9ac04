package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/misend/misend/internal/mail"
)

// listFiles expands directories, skipping Maildir tmp/ and hidden files, and
// sorts the result so walks are repeatable.
func listFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("walk %s: %w", path, err)
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && (name == "tmp" || strings.HasPrefix(name, ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasPrefix(name, ".") || !d.Type().IsRegular() {
				return nil
			}
			out = append(out, path)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// maildirMetadata tells the bookkeeping files Maildir servers keep beside
// the mail (Dovecot, Courier, quota files) from messages.
func maildirMetadata(name string) bool {
	switch name {
	case "maildirsize", "maildirfolder", "subscriptions":
		return true
	}
	return strings.HasPrefix(name, "dovecot") || strings.HasPrefix(name, "courierimap")
}

// openFile opens path for reading as os.Open does, less its attempt to
// hand the file to the runtime's poller, which a regular file always
// refuses: four system calls more than os.NewFile makes, as many as the
// rest of reading a Maildir message takes.
func openFile(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), path), nil
		case syscall.EINTR:
			continue
		}
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
}

// reader turns files into items.
type reader struct {
	lim  mail.Limits
	emit func(*item) bool
	br   *bufio.Reader // reused for every file: Maildir means one file per message
}

func (r *reader) bufReader(f io.Reader) *bufio.Reader {
	if r.br == nil {
		r.br = bufio.NewReaderSize(f, 64<<10)
	} else {
		r.br.Reset(f)
	}
	return r.br
}

// readFile detects the format of one file and emits its messages.
func (r *reader) readFile(path string) error {
	if maildirMetadata(filepath.Base(path)) {
		r.emit(&item{src: path, skip: SkipMaildirMetadata, detail: "skipped by name"})
		return nil
	}
	f, err := openFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	// The file is read as long as its size says, not until a read finds
	// nothing more: for a Maildir message that last read would be one
	// system call in six. A file that grows meanwhile is read as it was.
	size := st.Size()
	br := r.bufReader(f)
	head, _ := br.Peek(int(min(size, 4096)))
	switch {
	case bytes.HasPrefix(head, []byte("From ")):
		return r.readMbox(path, br)
	case strings.EqualFold(filepath.Ext(path), ".csv"):
		return readCSV(path, br, r.emit)
	case !mail.LooksLikeMessage(head):
		r.emit(&item{src: path, skip: SkipNotMail, detail: "the first line is not a mail header field"})
		return nil
	case size > int64(r.lim.MaxMessageBytes):
		r.emit(&item{src: path, skip: SkipTooLarge, detail: fmt.Sprintf("%d octets, more than %d", size, r.lim.MaxMessageBytes)})
		return nil
	}
	raw := getRaw()
	*raw = slices.Grow((*raw)[:0], int(size))[:size]
	n, err := io.ReadFull(br, *raw)
	*raw = (*raw)[:n]
	if err != nil && err != io.ErrUnexpectedEOF { // one that shrank is read as it is now
		putRaw(raw)
		return err
	}
	r.emit(&item{src: path, raw: raw})
	return nil
}

// readMbox splits an mboxo/mboxrd file on "From " lines and undoes ">From "
// quoting; CRLF line ends are tolerated.
func (r *reader) readMbox(path string, br *bufio.Reader) error {
	n := 0
	var cur *[]byte
	flush := func() bool {
		if cur == nil {
			return true
		}
		n++
		it := &item{src: fmt.Sprintf("%s#%d", path, n), raw: cur}
		cur = nil
		return r.emit(it)
	}
	cont := false // the last fragment did not end its line
	sep := false  // the current line is a "From " separator
	for {
		// ReadSlice hands an overlong line over in buffer-sized fragments:
		// only a fragment that starts a line can be a separator, and
		// nothing is kept past the cap, so no line can exhaust memory.
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			err = nil
		}
		starts := !cont
		cont = len(line) > 0 && line[len(line)-1] != '\n'
		if starts {
			sep = bytes.HasPrefix(line, []byte("From "))
		}
		if len(line) > 0 {
			if sep {
				if starts {
					if !flush() {
						return nil
					}
					cur = getRaw()
				}
			} else if cur != nil {
				if starts {
					if unq := bytes.TrimLeft(line, ">"); len(unq) < len(line) && bytes.HasPrefix(unq, []byte("From ")) {
						line = line[1:]
					}
				}
				// Past the cap the message will be refused anyway; stop
				// growing it so one huge mbox entry cannot exhaust memory.
				if len(*cur) <= r.lim.MaxMessageBytes {
					*cur = append(*cur, line...)
				}
			}
		}
		if err == io.EOF {
			flush()
			return nil
		}
		if err != nil {
			if cur != nil {
				putRaw(cur)
			}
			return err
		}
	}
}
