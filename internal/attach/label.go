package attach

import (
	"bytes"
	"slices"
	"strings"

	"github.com/klauspost/compress/zip"

	"github.com/misend/misend/internal/mail"
)

// labels reads the sensitivity labels of an Office Open XML file: the
// MSIP_Label_* custom properties (docProps/custom.xml) that Office and the
// Purview client write, and the label list of docMetadata/LabelInfo.xml
// that newer Office writes instead (GUIDs only, MS-OFFCRYPTO 2.6.4).
func (r *reader) labels(at string, z map[string]*zip.File) {
	if f := z["docProps/custom.xml"]; f != nil {
		if data, ok := r.entry(join(at, f.Name), f); ok {
			r.addLabels(mail.MSIPLabels(customProperties(data)))
			r.done(data)
		}
	}
	if f := z["docMetadata/LabelInfo.xml"]; f != nil {
		if data, ok := r.entry(join(at, f.Name), f); ok {
			r.addLabels(labelInfo(data))
			r.done(data)
		}
	}
}

// maxDocLabels bounds the labels kept from one attachment, archives
// of labelled documents included.
const maxDocLabels = 16

func (r *reader) addLabels(ls []mail.SensitivityLabel) {
	for _, l := range ls {
		if len(r.res.Labels) >= maxDocLabels {
			return
		}
		if !slices.Contains(r.res.Labels, l) {
			r.res.Labels = append(r.res.Labels, l)
		}
	}
}

// customProperties reads the name and text value of each property of
// docProps/custom.xml whose name starts MSIP_Label_.
func customProperties(data []byte) [][2]string {
	var out [][2]string
	s := xmlScanner{data: data}
	name, depth := "", 0
	var val []byte
	for len(out) < 16*maxDocLabels {
		tok, tag, inside := s.next()
		switch tok {
		case xmlEOF:
			return out
		case xmlStart:
			if string(tag) == "property" {
				name, depth, val = string(attr(inside, "name")), 1, val[:0]
				if len(name) < 11 || !strings.EqualFold(name[:11], "msip_label_") {
					name = ""
				}
			} else if depth > 0 {
				depth++
			}
		case xmlEnd:
			if string(tag) == "property" {
				if name != "" {
					out = append(out, [2]string{name, strings.TrimSpace(string(val))})
				}
				name, depth = "", 0
			} else if depth > 0 {
				depth--
			}
		case xmlText:
			if name != "" && len(val) < 256 {
				val = appendUnescaped(val, tag)
			}
		}
	}
	return out
}

// labelInfo reads the labels of docMetadata/LabelInfo.xml that are in
// force: enabled and not removed.
func labelInfo(data []byte) []mail.SensitivityLabel {
	var out []mail.SensitivityLabel
	s := xmlScanner{data: data}
	for len(out) < maxDocLabels {
		tok, tag, inside := s.next()
		if tok == xmlEOF {
			return out
		}
		if (tok != xmlStart && tok != xmlEmpty) || string(tag) != "label" {
			continue
		}
		id := strings.ToLower(strings.Trim(string(attr(inside, "id")), "{}"))
		if !mail.IsGUID(id) || !xmlTrue(attr(inside, "enabled")) || xmlTrue(attr(inside, "removed")) {
			continue
		}
		l := mail.SensitivityLabel{ID: id}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// xmlTrue reads an xsd:boolean.
func xmlTrue(v []byte) bool {
	v = bytes.TrimSpace(v)
	return string(v) == "1" || string(v) == "true"
}
