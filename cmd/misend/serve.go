package main

import "errors"

type serveCmd struct{}

func (c *serveCmd) Run(g *Globals) error { return errors.New("serve: not implemented yet") }
