package main

import "errors"

type checkCmd struct{}

func (c *checkCmd) Run(g *Globals) error { return errors.New("check: not implemented yet") }
