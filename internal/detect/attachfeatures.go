package detect

import (
	"math"
	"math/bits"

	"github.com/misend/misend/internal/model"
)

// attachments sets the attachment features from the attachments as
// package attach filled them (encrypted parts, document labels) and the
// model's record of what the sender sent each outside domain. A kind the
// sender never sent a partner is how "the wrong file" often shows: the
// price list meant for one client, attached for another.
func (c *check) attachments() {
	var kinds uint16
	n := 0 // attachments a person chose: signatures and keys are of no kind
	encrypted, labelled := false, len(c.msg.Labels) > 0
	for _, a := range c.msg.Attachments {
		if k := model.AttachmentKind(a); k != 0 {
			kinds |= k
			n++
		}
		encrypted = encrypted || len(a.Encrypted) > 0
		labelled = labelled || len(a.Labels) > 0
	}
	if kinds == 0 && len(c.msg.Labels) == 0 {
		return
	}
	if encrypted {
		c.f[fAttachEncrypted] = 1
	}
	if labelled {
		c.f[fAttachLabelled] = 1
	}
	c.f[fAttachCount] = math.Log1p(float64(n))
	c.f[fAttachKinds] = float64(bits.OnesCount16(kinds))
	if kinds&model.AttachArchive != 0 {
		c.f[fAttachArchive] = 1
	}
	if kinds == 0 {
		return
	}
	seen := map[string]bool{}
	for _, r := range c.rs {
		if r.internal || seen[r.dom] {
			continue
		}
		seen[r.dom] = true
		if kinds&^c.m.AttachmentKindsSent(c.sender, r.dom) != 0 {
			c.f[fAttachNewKind] = 1
			return
		}
	}
}
