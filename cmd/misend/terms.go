package main

import "errors"

type termsCmd struct{}

func (c *termsCmd) Run(g *Globals) error { return errors.New("terms: not implemented yet") }
