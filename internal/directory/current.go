package directory

import "sync/atomic"

// Current is the directory in force while misend serves: an import from
// the web page replaces it for every reader at once, so the next message
// is decided, and its notices addressed, by the new one. Safe for
// concurrent use; the zero value holds an empty directory.
type Current struct {
	p atomic.Pointer[Directory]
}

// NewCurrent returns a Current holding d.
func NewCurrent(d *Directory) *Current {
	c := &Current{}
	c.Store(d)
	return c
}

// Load returns the directory in force.
func (c *Current) Load() *Directory {
	if d := c.p.Load(); d != nil {
		return d
	}
	return &Directory{}
}

// Store makes d the directory in force.
func (c *Current) Store(d *Directory) { c.p.Store(d) }

// PersonOf is PersonOf in the directory in force.
func (c *Current) PersonOf(addr string) string { return PersonOf(c.Load(), addr) }

// DepartmentOf returns addr's department in the directory in force.
func (c *Current) DepartmentOf(addr string) string { return c.Load().DepartmentOf(addr) }
