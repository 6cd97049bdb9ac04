package synth

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
)

// addrParser reads encoded-word display names in the charsets Japanese
// mail uses, as a real client does.
var addrParser = &mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader}}

func addressList(h mail.Header, key string) ([]*mail.Address, error) {
	return addrParser.ParseList(h.Get(key))
}

func small(t testing.TB, seed uint64, people, days int) *Org {
	t.Helper()
	opt := DefaultOptions()
	opt.People, opt.Days = people, days
	o, err := New(seed, opt)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOptionsErrors(t *testing.T) {
	base := DefaultOptions()
	tests := []struct {
		name string
		edit func(*Options)
		ok   bool
	}{
		{"defaults", func(*Options) {}, true},
		{"one day", func(o *Options) { o.Days = 1 }, true},
		{"two people", func(o *Options) { o.People = 2 }, true},
		{"zero people", func(o *Options) { o.People = 0 }, false},
		{"one person", func(o *Options) { o.People = 1 }, false},
		{"negative people", func(o *Options) { o.People = -5 }, false},
		{"too many people", func(o *Options) { o.People = maxPeople + 1 }, false},
		{"zero days", func(o *Options) { o.Days = 0 }, false},
		{"zero rate", func(o *Options) { o.Rate = 0 }, false},
		{"NaN rate", func(o *Options) { o.Rate = nan() }, false},
		{"no start", func(o *Options) { o.Start = time.Time{} }, false},
		{"bad domain", func(o *Options) { o.Domain = "a@b" }, false},
		{"empty domain", func(o *Options) { o.Domain = "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := base
			tt.edit(&opt)
			o, err := New(1, opt)
			if (err == nil) != tt.ok {
				t.Fatalf("New: err %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				return
			}
			if opt.People > 100 {
				return // the full-size runs are the other tests' job
			}
			// Tiny organisations must generate without panicking.
			n := 0
			if err := o.Messages(func(*Mail) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestTinyOrgs(t *testing.T) {
	for _, people := range []int{2, 3, 7, 25} {
		for _, days := range []int{1, 2, 40} {
			o := small(t, 9, people, days)
			if err := o.Messages(func(*Mail) error { return nil }); err != nil {
				t.Fatal(err)
			}
			// Scenarios may be impossible in a tiny history; then a clear
			// error, never a panic.
			if _, err := o.Scenarios(); err != nil && !strings.Contains(err.Error(), "scenarios:") {
				t.Fatalf("%d people %d days: unclear error %v", people, days, err)
			}
		}
	}
}

func digest(t testing.TB, o *Org) [32]byte {
	h := sha256.New()
	err := o.Messages(func(m *Mail) error {
		h.Write(m.Bytes(Sent))
		for _, c := range m.Copies {
			io.WriteString(h, c.User+"/"+string(c.Folder)+"\n")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := o.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sc {
		h.Write(s.Raw)
	}
	var b bytes.Buffer
	o.WriteDirectoryCSV(&b)
	h.Write(b.Bytes())
	return [32]byte(h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	a := digest(t, small(t, 42, 150, 90))
	b := digest(t, small(t, 42, 150, 90))
	c := digest(t, small(t, 43, 150, 90))
	if a != b {
		t.Error("same seed gave different output")
	}
	if a == c {
		t.Error("different seeds gave the same output")
	}
}

func TestOrganisation(t *testing.T) {
	o := small(t, 1, 1000, 30)
	if len(o.People) != 1000 {
		t.Errorf("people %d", len(o.People))
	}
	// The established partners, then the companies first mailed during
	// the history: 0.4 a person a year, 33 in 30 days for 1000 people.
	newCos := 0
	for _, p := range o.Partners[min(len(o.Partners), len(partnerSpecs)):] {
		if p.Kind == "new" && len(p.Contacts) == 1 {
			newCos++
		}
	}
	if len(o.Departments) != 20 || len(o.Partners)-newCos != 50 || newCos < 25 || newCos > 40 {
		t.Errorf("departments %d partners %d, %d of them new", len(o.Departments), len(o.Partners), newCos)
	}
	sum := 0
	for _, d := range o.Departments {
		sum += len(d.Members)
		if len(d.Members) < 10 || len(d.Approvers) == 0 {
			t.Errorf("%s: %d members, %d approvers", d.Name, len(d.Members), len(d.Approvers))
		}
		if !strings.HasSuffix(d.List, "-all@corp.example") {
			t.Errorf("%s list %q", d.Name, d.List)
		}
	}
	if sum != 1000 {
		t.Errorf("department sizes sum to %d", sum)
	}
	addrs := map[string]bool{}
	tanaka, english, numbered := 0, 0, 0
	for _, p := range o.People {
		if addrs[p.Address] {
			t.Errorf("duplicate address %s", p.Address)
		}
		addrs[p.Address] = true
		if p.Surname == "田中" {
			tanaka++
		}
		if p.English {
			english++
		}
		if strings.ContainsAny(localPart(p.Address), "0123456789") {
			numbered++
		}
	}
	for _, c := range o.Contacts {
		if addrs[c.Address] {
			t.Errorf("duplicate address %s", c.Address)
		}
		addrs[c.Address] = true
	}
	if tanaka < 10 || english < 5 || numbered < 20 {
		t.Errorf("tanaka %d, english %d, numbered addresses %d: names not realistic", tanaka, english, numbered)
	}
	extTanaka := map[int]bool{}
	for _, c := range o.Contacts {
		if c.Surname == "田中" {
			extTanaka[c.Partner] = true
		}
	}
	if len(extTanaka) < 2 {
		t.Errorf("田中 at %d partners, want at least 2", len(extTanaka))
	}
	joiners := 0
	for _, c := range o.Contacts {
		if c.Joins > 0 {
			joiners++
			if c.Meets < 0 || !contains(o.People[c.Meets].Contacts, c.ID) {
				t.Errorf("contact %s joins but meets nobody who deals with them", c.Address)
			}
		}
	}
	if joiners == 0 {
		t.Error("no new contacts during the year")
	}
}

// stats is what one pass over a history shows.
type stats struct {
	msgs, replies, japanese, attachments, bcc, internal int
	confidential, namedAttachments                      int
	encodings                                           map[string]int
	boxes                                               map[string]map[string]bool // message-id → user/folder
}

func collect(t *testing.T, o *Org) stats {
	t.Helper()
	st := stats{encodings: map[string]int{}, boxes: map[string]map[string]bool{}}
	var last time.Time
	err := o.Messages(func(m *Mail) error {
		st.msgs++
		if m.Date.Before(last) {
			t.Fatalf("%s dated %v before %v", m.MessageID, m.Date, last)
		}
		last = m.Date
		for _, f := range []Folder{Sent, Inbox} {
			raw := m.Bytes(f)
			nm, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("net/mail: %v\n%s", err, raw)
			}
			for _, h := range []string{"From", "To", "Cc", "Bcc"} {
				if nm.Header.Get(h) == "" {
					continue
				}
				if _, err := addressList(nm.Header, h); err != nil {
					t.Fatalf("%s: %v\n%s", h, err, raw)
				}
			}
			if got := nm.Header.Get("Bcc") != ""; got != (f == Sent && len(m.Bcc) > 0) {
				t.Fatalf("Bcc header shown in %s copy: %v", f, got)
			}
		}
		e, err := message.Read(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatalf("go-message: %v\n%s", err, m.Raw)
		}
		subj, err := e.Header.Text("Subject")
		if err != nil || subj == "" {
			t.Fatalf("subject %q: %v", subj, err)
		}
		if e.Header.Get("In-Reply-To") != "" {
			st.replies++
			// Replies, and the forwards some mail clients keep in the
			// thread.
			if !strings.HasPrefix(subj, "Re: ") && !strings.HasPrefix(subj, "FW: ") && !strings.HasPrefix(subj, "Fwd: ") && !strings.HasPrefix(subj, "転送: ") {
				t.Errorf("reply subject %q", subj)
			}
		}
		err = e.Walk(func(path []int, part *message.Entity, err error) error {
			if err != nil {
				return err
			}
			ct, params, _ := part.Header.ContentType()
			if strings.HasPrefix(ct, "multipart/") {
				return nil
			}
			body, err := io.ReadAll(part.Body)
			if err != nil {
				return err
			}
			if ct == "text/plain" {
				st.encodings[strings.ToLower(params["charset"])+"/"+part.Header.Get("Content-Transfer-Encoding")]++
				if strings.ContainsFunc(string(body), func(r rune) bool { return unicode.Is(unicode.Hiragana, r) }) {
					st.japanese++
				}
				for _, d := range o.Departments {
					for _, term := range d.Terms {
						if bytes.Contains(body, []byte(term)) {
							st.confidential++
						}
					}
				}
				if !strings.Contains(string(body), "--\n") && !strings.Contains(string(body), "Best regards") && !strings.Contains(string(body), "\r\n--\r\n") {
					return nil
				}
			} else {
				_, p, err := part.Header.ContentDisposition()
				if err != nil || p["filename"] == "" || len(body) < 100 {
					t.Errorf("attachment without a name or content: %v %q", err, p)
				}
				st.attachments++
				for _, pt := range o.Partners {
					if strings.Contains(p["filename"], shortName(pt.Name)) || strings.Contains(p["filename"], pt.English) {
						st.namedAttachments++
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk: %v\n%s", err, m.Raw)
		}
		if len(m.Bcc) > 0 {
			st.bcc++
		}
		id := m.MessageID
		st.boxes[id] = map[string]bool{}
		insiderTo := false
		for _, c := range m.Copies {
			st.boxes[id][c.User+"/"+string(c.Folder)] = true
			insiderTo = insiderTo || c.Folder == Inbox
		}
		if strings.HasSuffix(m.From, "@corp.example") && insiderTo {
			st.internal++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestMessages(t *testing.T) {
	opt := DefaultOptions()
	opt.People, opt.Days = 300, 120
	// A start in the afternoon still gives whole days in date order.
	opt.Start = time.Date(2025, 4, 1, 15, 30, 0, 0, time.UTC)
	o, err := New(9, opt)
	if err != nil {
		t.Fatal(err)
	}
	st := collect(t, o)
	t.Logf("%d messages, %d replies, %d Japanese, %d attachments, %d Bcc, encodings %v", st.msgs, st.replies, st.japanese, st.attachments, st.bcc, st.encodings)
	if st.msgs < 10000 {
		t.Errorf("only %d messages for 300 people over 120 days", st.msgs)
	}
	share := func(n int) float64 { return float64(n) / float64(st.msgs) }
	if s := share(st.replies); s < 0.25 || s > 0.55 {
		t.Errorf("reply share %.2f, want 0.25–0.55", s)
	}
	if s := share(st.japanese); s < 0.75 || s > 0.98 {
		t.Errorf("Japanese share %.2f, want 0.75–0.98", s)
	}
	if s := share(st.attachments); s < 0.01 || s > 0.15 {
		t.Errorf("attachment share %.3f", s)
	}
	if st.bcc == 0 {
		t.Error("no mass mail with Bcc")
	}
	if st.confidential < 10 || share(st.confidential) > 0.02 {
		t.Errorf("%d messages with department-confidential vocabulary, want a few", st.confidential)
	}
	if st.namedAttachments == 0 {
		t.Error("no attachment names a partner")
	}
	for _, enc := range []string{"utf-8/base64", "utf-8/quoted-printable", "iso-2022-jp/7bit", "us-ascii/7bit"} {
		if st.encodings[enc] == 0 {
			t.Errorf("no %s bodies", enc)
		}
	}
	// An insider's message sits in the sender's sent folder and each
	// insider recipient's inbox.
	people := map[string]bool{}
	for _, p := range o.People {
		people[p.Address] = true
	}
	checked := 0
	err = o.Messages(func(m *Mail) error {
		if checked > 200 || !strings.HasSuffix(m.From, "@corp.example") {
			return nil
		}
		nm, _ := mail.ReadMessage(bytes.NewReader(m.Raw))
		to, _ := addressList(nm.Header, "To")
		for _, a := range to {
			if people[a.Address] && a.Address != m.From {
				box := st.boxes[m.MessageID]
				if !box[localPart(m.From)+"/sent"] || !box[localPart(a.Address)+"/inbox"] {
					t.Fatalf("%s from %s to %s: copies %v", m.MessageID, m.From, a.Address, box)
				}
				checked++
			}
		}
		return nil
	})
	if err != nil || checked == 0 {
		t.Fatalf("checked %d: %v", checked, err)
	}
}

func TestScenarios(t *testing.T) {
	o := small(t, 3, 400, 150)
	ids := map[string]bool{}
	o.Messages(func(m *Mail) error { ids[m.MessageID] = true; return nil })
	sc, err := o.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, p := range o.People {
		known[p.Address] = true
	}
	for _, c := range o.Contacts {
		known[c.Address] = true
	}
	mistakes, names := 0, map[string]bool{}
	for _, s := range sc {
		names[s.Name] = true
		t.Logf("%s (mistake %v): %s", s.Name, s.Mistake, s.Description)
		if s.Mistake {
			mistakes++
		}
		if s.Description == "" || strings.Contains(s.Description, "\n") {
			t.Errorf("%s: description %q", s.Name, s.Description)
		}
		m, err := mail.ReadMessage(bytes.NewReader(s.Raw))
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		from, err := addrParser.Parse(m.Header.Get("From"))
		if err != nil || !strings.HasSuffix(from.Address, "@corp.example") || !known[from.Address] {
			t.Errorf("%s: from %v %v", s.Name, from, err)
		}
		to, _ := addressList(m.Header, "To")
		unknown := 0
		for _, a := range to {
			if !known[a.Address] {
				unknown++
			}
		}
		if want := map[bool]int{true: 1, false: 0}[s.Name == "lookalike-domain"]; unknown != want {
			t.Errorf("%s: %d unknown recipients, want %d", s.Name, unknown, want)
		}
		if irt := m.Header.Get("In-Reply-To"); irt != "" && !ids[irt] {
			t.Errorf("%s: In-Reply-To %s is not in the history", s.Name, irt)
		}
		if d, _ := m.Header.Date(); !d.After(o.Opt.Start.AddDate(0, 0, o.Opt.Days-1)) {
			t.Errorf("%s dated %v, inside the history", s.Name, d)
		}
	}
	if want := 6 + map[bool]int{true: 1}[names["wrong-colleague"]]; mistakes != want || len(sc) < 9 {
		t.Errorf("%d scenarios, %d mistakes", len(sc), mistakes)
	}
	for _, n := range []string{"wrong-tanaka", "lookalike-domain", "two-clients", "outsider-in-internal-thread", "mass-mail-in-to", "greeting-names-other-partner", "reply-known-thread", "usual-team-mail", "usual-partner-mail"} {
		if !names[n] {
			t.Errorf("scenario %s missing", n)
		}
	}
}

func TestWriters(t *testing.T) {
	o := small(t, 5, 40, 20)
	copies, bcc := 0, 0
	o.Messages(func(m *Mail) error {
		copies += len(m.Copies)
		if len(m.Bcc) > 0 {
			bcc++
		}
		return nil
	})
	dir := t.TempDir()
	if _, _, err := o.WriteMaildir(dir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "cur", "*"))
	if len(files) != copies {
		t.Errorf("maildir: %d files for %d copies", len(files), copies)
	}
	mdir := t.TempDir()
	if _, _, err := o.WriteMbox(mdir); err != nil {
		t.Fatal(err)
	}
	boxes, _ := filepath.Glob(filepath.Join(mdir, "*", "*.mbox"))
	froms := 0
	for _, b := range boxes {
		f, err := os.Open(b)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "From ") {
				froms++
			}
			if strings.HasSuffix(sc.Text(), "\r") {
				t.Fatalf("%s: CRLF in mbox", b)
			}
		}
		f.Close()
	}
	if froms != copies {
		t.Errorf("mbox: %d From_ lines for %d copies", froms, copies)
	}
	var csvb bytes.Buffer
	if err := o.WriteDirectoryCSV(&csvb); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&csvb).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "address,name,department,groups,roles" || len(recs) != 41 {
		t.Errorf("directory: header %v, %d rows", recs[0], len(recs))
	}
	for _, r := range recs[1:] {
		if !strings.Contains(r[4], "sender") {
			t.Errorf("roles %q", r[4])
		}
	}
}

// TestHabits checks the shape of who mails whom: the own department most,
// other departments sometimes, partners according to the department's trade.
func TestHabits(t *testing.T) {
	o := small(t, 11, 500, 120)
	h := o.habits()
	own, other, ext := 0, 0, 0
	for k, n := range h.internal {
		if o.People[k[0]].Dept == o.People[k[1]].Dept {
			own += n
		} else {
			other += n
		}
	}
	for _, n := range h.ext {
		ext += n
	}
	t.Logf("own department %d, other departments %d, partners %d", own, other, ext)
	if own < 2*other || other == 0 || ext == 0 {
		t.Errorf("own %d, other %d, partners %d: team mail should dominate", own, other, ext)
	}
	// Sales writes outside far more than HR.
	perDept := func(di int) float64 {
		e, all := 0, 0
		for k, n := range h.ext {
			if o.People[k[0]].Dept == di {
				e += n
			}
		}
		for k, n := range h.internal {
			if o.People[k[0]].Dept == di {
				all += n
			}
		}
		return float64(e) / float64(e+all+1)
	}
	if s, hr := perDept(0), perDept(14); s < 2*hr {
		t.Errorf("external share: sales %.2f, HR %.2f", s, hr)
	}
}

// TestNamesakes: a thousand people have about as many namesakes as a real
// Japanese company (a couple each), enough for wrong-Tanaka slips, not so
// many that every colleague shares a name with a dozen others.
func TestNamesakes(t *testing.T) {
	o, err := New(20261130, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	surnames, given := map[string]int{}, map[string]int{}
	numbered := 0
	for _, p := range o.People {
		surnames[p.Surname]++
		given[strings.TrimSpace(strings.TrimPrefix(p.Name, p.Surname))]++
		if l := localPart(p.Address); l[len(l)-1] >= '0' && l[len(l)-1] <= '9' {
			numbered++
		}
	}
	others := func(counts map[string]int) float64 {
		n := 0
		for _, c := range counts {
			n += c * (c - 1)
		}
		return float64(n) / float64(len(o.People))
	}
	if s := others(surnames); s < 1 || s > 4 {
		t.Errorf("a person shares the surname with %.2f others on average, want 1–4", s)
	}
	if g := others(given); g < 0.5 || g > 4 {
		t.Errorf("a person shares the given name with %.2f others on average, want 0.5–4", g)
	}
	if share := float64(numbered) / float64(len(o.People)); share < 0.02 || share > 0.15 {
		t.Errorf("%.1f%% of addresses are numbered (k.murata2), want 2–15%%", 100*share)
	}
}
