package mail

import (
	"strings"
)

// SensitivityLabel is a Microsoft Purview (MIP) sensitivity label on a
// message or a document: its GUID, and the name the tenant gave it when
// the label says (a GUID alone is all newer Office files record).
type SensitivityLabel struct {
	ID   string `json:"id"`             // lower-case GUID, without braces
	Name string `json:"name,omitempty"` // e.g. "Confidential", "社外秘"
}

// maxLabels bounds the labels kept from one header or document: Purview
// writes one per tenant, and a header with hundreds is a hostile one.
const maxLabels = 8

// ParseMSIPLabels reads the msip_labels header Outlook writes on labelled
// mail: "MSIP_Label_<GUID>_<Attribute>=<value>;" pairs, Enabled=true
// marking a label in force. Pairs that do not fit are passed over.
func ParseMSIPLabels(header string) []SensitivityLabel {
	var pairs [][2]string
	for field := range strings.SplitSeq(header, ";") {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			continue
		}
		pairs = append(pairs, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		if len(pairs) > 16*maxLabels {
			break
		}
	}
	return MSIPLabels(pairs)
}

// MSIPLabels reads labels from MSIP_Label_<GUID>_<Attribute> key-value
// pairs, as the msip_labels header and an Office document's custom
// properties (docProps/custom.xml) both hold them. A label counts when
// its Enabled attribute is true; other keys are ignored.
func MSIPLabels(pairs [][2]string) []SensitivityLabel {
	var out []SensitivityLabel
	names := map[string]string{}
	for _, p := range pairs {
		id, attr, ok := msipKey(p[0])
		if !ok {
			continue
		}
		switch attr {
		case "name":
			names[id] = p[1]
		case "enabled":
			if strings.EqualFold(p[1], "true") && len(out) < maxLabels && !hasLabel(out, id) {
				out = append(out, SensitivityLabel{ID: id})
			}
		}
	}
	for i := range out {
		out[i].Name = names[out[i].ID]
	}
	return out
}

func hasLabel(ls []SensitivityLabel, id string) bool {
	for _, l := range ls {
		if l.ID == id {
			return true
		}
	}
	return false
}

// msipKey splits "MSIP_Label_<GUID>_<Attribute>" into the GUID (lower
// case) and the attribute (lower case).
func msipKey(k string) (id, attr string, ok bool) {
	const prefix = "msip_label_"
	if len(k) < len(prefix) || !strings.EqualFold(k[:len(prefix)], prefix) {
		return "", "", false
	}
	id, attr, ok = strings.Cut(k[len(prefix):], "_")
	if !ok || !IsGUID(id) {
		return "", "", false
	}
	return strings.ToLower(id), strings.ToLower(attr), true
}

// IsGUID reports whether s is a GUID written 8-4-4-4-12 in hex digits.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
