package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/misend/misend/internal/model"
)

// TestTopic checks the topic features on an organisation whose insider
// mails one partner about gas pipelines and another about a wedding, among
// mail on many other things.
func TestTopic(t *testing.T) {
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	t0 := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	const me, gas, bride = "me@corp.example", "gas@pipeline.example", "bride@wedding.example"
	for i := range 1200 {
		at := t0.Add(time.Duration(i) * time.Hour)
		m.Learn(newMsg(fmt.Sprint("n", i), me, fmt.Sprintf("someone%d@other.example", i%50)).
			text(fmt.Sprintf("notes on matter%d and case%d", i, i%97)).at(at).m)
		switch i % 40 {
		case 0:
			m.Learn(newMsg(fmt.Sprint("g", i), me, gas).text("pipeline capacity nominations compressor").at(at).m)
		case 20:
			m.Learn(newMsg(fmt.Sprint("w", i), me, bride).text("wedding cake flowers invitations").at(at).m)
		}
	}
	d := &Detector{Model: m}
	now := t0.Add(1300 * time.Hour)
	const pipeline = "The compressor capacity and pipeline nominations for May"
	features := func(text string, to ...string) Features {
		return d.Check(newMsg("x", me, to...).text(text).m, now).Features
	}
	for _, tc := range []struct {
		name                 string
		text                 string
		to                   []string
		foreign, spread, key bool
	}{
		{"on the partner's topic", pipeline, []string{gas}, false, false, true},
		{"on another partner's topic", pipeline, []string{bride}, true, false, true},
		{"one recipient on the topic, one not", pipeline, []string{gas, bride}, true, true, true},
		{"words never seen tell nothing", "hello there, thanks", []string{bride}, false, false, false},
	} {
		f := features(tc.text, tc.to...)
		if got := f[fTopicForeign] > 0.5; got != tc.foreign {
			t.Errorf("%s: topic_foreign %.2f", tc.name, f[fTopicForeign])
		}
		if got := f[fTopicSpread] > 0.5; got != tc.spread {
			t.Errorf("%s: topic_spread %.2f", tc.name, f[fTopicSpread])
		}
		if got := f[fTopicKnown] == 1; got != tc.key {
			t.Errorf("%s: topic_known %.0f", tc.name, f[fTopicKnown])
		}
	}
}
