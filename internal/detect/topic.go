package detect

import "github.com/misend/misend/internal/model"

// topicOf returns what the message is about (model.Topic), found once per
// check; nil when it has too few telling words.
func (c *check) topicOf() *model.Topic {
	if !c.topicDone {
		c.topicDone = true
		if t, ok := c.m.Topic(c.m.Terms(c.msg.Subject, c.msg.Text)); ok {
			c.topicQ = &t
		}
	}
	return c.topicQ
}

// topic compares the message's words with what each recipient's mail was
// about (model.TopicFit): a recipient put in by mistake usually takes part
// in other conversations than the one the message carries on.
func (c *check) topic() {
	t := c.topicOf()
	if t == nil {
		return
	}
	lo, hi := 2.0, -1.0
	rarest := c.rarest()
	for i, r := range c.rs {
		fit := c.m.TopicFit(t, r.Addr)
		lo, hi = min(lo, fit), max(hi, fit)
		if i == rarest {
			c.f[fTopicRarest] = 1 - fit
		}
	}
	c.f[fTopicKnown] = 1
	c.f[fTopicForeign] = 1 - lo
	c.f[fTopicSpread] = hi - lo
}

// topicGain is how much better the message fits the mail of the contact
// suggested for a recipient than the recipient's: the "did you mean" is
// who the message is about.
func (c *check) topicGain(suggested, recipient string) float64 {
	t := c.topicOf()
	if t == nil {
		return 0
	}
	return c.m.TopicFit(t, suggested) - c.m.TopicFit(t, recipient)
}
