package main

import "errors"

type importCmd struct{}

func (c *importCmd) Run(g *Globals) error { return errors.New("import: not implemented yet") }
