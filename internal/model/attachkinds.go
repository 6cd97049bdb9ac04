package model

import (
	"path"
	"strings"

	"github.com/misend/misend/internal/mail"
)

// Attachment kinds, a bit each: what the record of attachments a sender
// sent to each outside domain keeps. A class, not the extension, so the
// record stays two octets per sender and domain.
const (
	AttachPDF uint16 = 1 << iota
	AttachWord
	AttachSpreadsheet
	AttachPresentation
	AttachArchive
	AttachImage
	AttachText
	AttachMessage
	AttachOther
)

var kindOfExt = map[string]uint16{
	".pdf": AttachPDF,
	".doc": AttachWord, ".docx": AttachWord, ".docm": AttachWord, ".odt": AttachWord, ".rtf": AttachWord,
	".xls": AttachSpreadsheet, ".xlsx": AttachSpreadsheet, ".xlsm": AttachSpreadsheet, ".ods": AttachSpreadsheet, ".csv": AttachSpreadsheet,
	".ppt": AttachPresentation, ".pptx": AttachPresentation, ".odp": AttachPresentation,
	".zip": AttachArchive, ".7z": AttachArchive, ".rar": AttachArchive, ".lzh": AttachArchive, ".gz": AttachArchive,
	".png": AttachImage, ".jpg": AttachImage, ".jpeg": AttachImage, ".gif": AttachImage, ".bmp": AttachImage, ".heic": AttachImage,
	".txt": AttachText, ".html": AttachText, ".htm": AttachText,
	".eml": AttachMessage, ".msg": AttachMessage,
}

// AttachmentKinds returns the kinds of atts, by file name, else by MIME
// type. Signatures and the like are not attachments a person chose.
func AttachmentKinds(atts []mail.Attachment) uint16 {
	var kinds uint16
	for _, a := range atts {
		kinds |= AttachmentKind(a)
	}
	return kinds
}

// AttachmentKind is the kind of one attachment; 0 for a signature or a
// key, which nobody chooses to send.
func AttachmentKind(a mail.Attachment) uint16 {
	ct := strings.ToLower(a.ContentType)
	if strings.HasSuffix(ct, "signature") || ct == "application/pgp-encrypted" || ct == "application/pgp-keys" {
		return 0
	}
	if k, ok := kindOfExt[strings.ToLower(path.Ext(a.Filename))]; ok {
		return k
	}
	switch {
	case ct == "message/rfc822":
		return AttachMessage
	case strings.HasPrefix(ct, "image/"):
		return AttachImage
	case ct == "application/pdf":
		return AttachPDF
	case strings.HasPrefix(ct, "text/"):
		return AttachText
	}
	return AttachOther
}

// learnAttachments records that p sent attachments of kinds to the
// outside domains of rcpts. Called with the write lock held.
func (m *Model) learnAttachments(p *person, rcpts []uint32, kinds uint16) {
	if kinds == 0 {
		return
	}
	for _, r := range rcpts {
		d := m.addrDom[r]
		if m.internalDomain(m.domains.str[d]) {
			continue
		}
		if p.attach == nil {
			p.attach = map[uint32]uint16{}
		}
		p.attach[d] |= kinds
	}
}

// AttachmentKindsSent returns the kinds of attachments sender has sent to
// domain (AttachPDF, …); 0 when none, or when either is unknown.
func (m *Model) AttachmentKindsSent(sender, domain string) uint16 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.personOf(sender)
	id, ok := m.domains.lookup(domain)
	if p == nil || !ok {
		return 0
	}
	return p.attach[id]
}
