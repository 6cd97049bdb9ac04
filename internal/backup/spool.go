package backup

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SaveSpool writes the spool directory dir (held, waiting and queued mail,
// the link key) to dst as a gzipped tar. The spool writes every file under
// a temporary name and renames it, so each file copied is whole; those
// temporary files are left out. Bodies stay as encrypted as they are in
// the spool: the archive is no use without the spool key.
func SaveSpool(dir, dst string) (files int, err error) {
	if _, err := os.Lstat(dst); err == nil {
		return 0, fmt.Errorf("spool backup: %s exists; give a new file name", dst)
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".part")
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("spool backup: %w", err)
	}
	defer os.Remove(tmp)
	zw := gzip.NewWriter(out)
	tw := tar.NewWriter(zw)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path != dir {
				return nil // delivered and removed meanwhile
			}
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		if strings.HasPrefix(d.Name(), ".tmp") || strings.HasSuffix(d.Name(), ".tmp") {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
			return err
		}
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if fi.IsDir() {
			h.Name += "/"
			return tw.WriteHeader(h)
		}
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		defer f.Close()
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.CopyN(tw, f, h.Size); err != nil {
			return err
		}
		files++
		return nil
	})
	for _, c := range []io.Closer{tw, zw} {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		return 0, fmt.Errorf("spool backup of %s: %w", dir, err)
	}
	return files, nil
}

// RestoreSpool unpacks an archive of SaveSpool into dir, which must be
// empty or missing: a spool is restored into a fresh install, never mixed
// into one in use.
func RestoreSpool(src, dir string) (files int, err error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return 0, fmt.Errorf("spool restore: %s is not empty; restore into a fresh spool", dir)
	}
	in, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("spool restore: %w", err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return 0, fmt.Errorf("spool restore: %s: %w", src, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("spool restore: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return files, fmt.Errorf("spool restore: %s: %w", src, err)
		}
		name := filepath.FromSlash(strings.TrimSuffix(h.Name, "/"))
		if !filepath.IsLocal(name) {
			return files, fmt.Errorf("spool restore: %s: entry %q leaves the spool", src, h.Name)
		}
		path := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o700); err != nil {
				return files, fmt.Errorf("spool restore: %w", err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return files, fmt.Errorf("spool restore: %w", err)
			}
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fs.FileMode(h.Mode).Perm()&0o700)
			if err != nil {
				return files, fmt.Errorf("spool restore: %w", err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				f.Close()
				return files, fmt.Errorf("spool restore: %w", err)
			}
			if err := f.Close(); err != nil {
				return files, fmt.Errorf("spool restore: %w", err)
			}
			files++
		default:
			return files, fmt.Errorf("spool restore: %s: entry %q is no file", src, h.Name)
		}
	}
}
