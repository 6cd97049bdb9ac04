package model

import "math"

// counter is an exponentially decayed count: v is its value as of hour at.
// Updates that arrive out of time order (imports walk one mailbox after
// another) are added with the decay they would have had by now, so the
// result does not depend on import order.
type counter struct {
	v  float32
	at uint32
}

func (c *counter) add(h uint32, hl float64) {
	switch {
	case c.at == 0:
		c.v, c.at = 1, h
	case h >= c.at:
		c.v = c.v*float32(decay(h-c.at, hl)) + 1
		c.at = h
	default:
		c.v += float32(decay(c.at-h, hl))
	}
}

// value is the count as seen at hour h.
func (c counter) value(h uint32, hl float64) float64 {
	if c.at == 0 {
		return 0
	}
	if h <= c.at {
		return float64(c.v)
	}
	return float64(c.v) * decay(h-c.at, hl)
}

func decay(hours uint32, hl float64) float64 { return math.Exp2(-float64(hours) / hl) }

// contact is what one insider exchanged with one address (or domain).
type contact struct {
	sent, recv  counter
	first, last uint32 // hours
}

func (c *contact) touch(h uint32) {
	if c.first == 0 || h < c.first {
		c.first = h
	}
	if h > c.last {
		c.last = h
	}
}
