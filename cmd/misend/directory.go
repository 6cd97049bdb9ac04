package main

import "errors"

type directoryCmd struct{}

func (c *directoryCmd) Run(g *Globals) error { return errors.New("directory: not implemented yet") }
