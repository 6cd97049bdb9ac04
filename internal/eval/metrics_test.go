package eval

import (
	"math"
	"testing"
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/mail"
)

func TestAUC(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pos, neg []float64
		want     float64
	}{
		{"perfect", []float64{0.9, 0.8}, []float64{0.1, 0.2, 0.3}, 1},
		{"inverted", []float64{0.1}, []float64{0.5, 0.6}, 0},
		{"all tied", []float64{0.5, 0.5}, []float64{0.5, 0.5, 0.5}, 0.5},
		// pairs: 0.9 beats 0.2,0.5 (2); 0.5 ties 0.5 (0.5), beats 0.2 (1); 0.1 beats none → 3.5/6
		{"ties counted half", []float64{0.9, 0.5, 0.1}, []float64{0.2, 0.5}, 3.5 / 6},
		// 0.3 vs {0.3,0.3,0.1}: 0.5+0.5+1 = 2 of 3
		{"one positive", []float64{0.3}, []float64{0.3, 0.3, 0.1}, 2.0 / 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AUC(tc.pos, tc.neg); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("AUC = %v, want %v", got, tc.want)
			}
		})
	}
	if !math.IsNaN(AUC(nil, []float64{1})) {
		t.Error("AUC with no positives is not NaN")
	}
}

func TestThreshold(t *testing.T) {
	clean := []float64{0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90, 1.00} // 10 clean
	for _, tc := range []struct {
		alarm     float64
		want      float64
		realAlarm float64
	}{
		{0.01, 1.00, 0},    // 0.1 message may alarm → none does
		{0.10, 0.90, 0.10}, // one may alarm: the 1.00
		{0.25, 0.80, 0.20}, // floor(2.5)=2
		{0.50, 0.50, 0.50},
	} {
		got := Threshold(clean, tc.alarm)
		if got != tc.want {
			t.Errorf("Threshold(%v) = %v, want %v", tc.alarm, got, tc.want)
		}
		if r := RateAbove(clean, got); math.Abs(r-tc.realAlarm) > 1e-12 {
			t.Errorf("alarm rate at %v = %v, want %v", tc.alarm, r, tc.realAlarm)
		}
	}
	// Ties at the top: asking for 10% cannot split five equal scores; none alarms.
	tied := []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9}
	if got := Threshold(tied, 0.1); got != 0.9 || RateAbove(tied, got) != 0 {
		t.Errorf("tied threshold = %v (alarm %v), want 0.9 with no alarm", got, RateAbove(tied, got))
	}
	if !math.IsInf(Threshold(nil, 0.02), 1) {
		t.Error("no clean scores should give +Inf")
	}
	if got := Threshold([]float64{1, 2}, 1); !math.IsInf(got, -1) {
		t.Errorf("alarm 100%% = %v, want -Inf", got)
	}
}

func TestMeasure(t *testing.T) {
	clean := make([]float64, 100)
	for i := range clean {
		clean[i] = float64(i) / 100 // 0.00 .. 0.99
	}
	injected := []float64{0.995, 0.975, 0.965, 0.5}
	m := Measure(clean, injected)
	// 1%: threshold 0.98 → 0.995 only; 2%: 0.97 → 0.995, 0.975; 5%: 0.94 → three.
	want := []float64{0.25, 0.5, 0.75}
	for i := range want {
		if m.Detect[i] != want[i] {
			t.Errorf("detection at %v = %v, want %v", m.Alarm[i], m.Detect[i], want[i])
		}
		if math.Abs(m.RealAlarm[i]-m.Alarm[i]) > 1e-12 {
			t.Errorf("real alarm at %v = %v", m.Alarm[i], m.RealAlarm[i])
		}
	}
}

func TestDedupe(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	to := []mail.Address{{Addr: "b@corp.example"}}
	inbox := &mail.Message{MessageID: "1@corp.example", Date: at, From: mail.Address{Addr: "a@corp.example"}, To: to}
	sent := &mail.Message{MessageID: "1@corp.example", Date: at, From: mail.Address{Addr: "a@corp.example"}, To: to,
		Bcc: []mail.Address{{Addr: "c@corp.example"}}}
	other := &mail.Message{MessageID: "2@corp.example", Date: at, From: mail.Address{Addr: "a@corp.example"}, To: to}
	noID := &mail.Message{Date: at, From: mail.Address{Addr: "a@corp.example"}, To: to, Subject: "x"}
	noIDCopy := *noID
	got := Dedupe([]*mail.Message{inbox, other, sent, noID, &noIDCopy})
	if len(got) != 3 || got[0] != sent || got[1] != other || got[2] != noID {
		t.Errorf("Dedupe kept %d messages %v; want the sent copy (with its Bcc) in the inbox copy's place, the other, one without ID", len(got), got)
	}
}

func TestCalibration(t *testing.T) {
	var fit []Sample
	// Clean fit-window messages: one in twenty scores 0.9.
	for i := 0; i < 1000; i++ {
		s := 0.1
		if i%20 == 0 {
			s = 0.9
		}
		fit = append(fit, Sample{Test: i, Score: s})
	}
	shift := calibration(fit)
	if shift >= 0 {
		t.Fatalf("shift %v: 5%% of clean mail at 0.9 needs the scores moved down", shift)
	}
	warned := 0
	for _, s := range fit {
		if shifted(s.Score, shift) >= WarnScore {
			warned++
		}
	}
	if float64(warned)/1000 > detect.MaxAlarm {
		t.Errorf("%d of 1000 clean messages still warned", warned)
	}
	if a, b := shifted(0.9, shift), shifted(0.1, shift); !(a > b) {
		t.Errorf("calibration changed the order: %v, %v", a, b)
	}
	quiet := []Sample{{Test: 0, Score: 0.2}, {Test: 1, Score: 0.3}}
	if s := calibration(quiet); s != 0 {
		t.Errorf("scores already under the warn band moved by %v", s)
	}
}

func TestDetectedBySide(t *testing.T) {
	tests := []struct {
		d    Diagnosis
		want string
	}{
		{Diagnosis{Kind: "missed same-name/replace", Of: 100, Count: 10, InsideIntended: 0.8, InsideIntendedRest: 0.5},
			" (caught: 84.9% of those meant for insiders, 95.7% for outsiders)"},
		{Diagnosis{Kind: "missed lookalike-domain/add", Of: 100, Count: 10, InsideIntended: 0, InsideIntendedRest: 0}, ""},
		{Diagnosis{Kind: "false-alarm", Of: 100, Count: 2, InsideIntended: 0.5, InsideIntendedRest: 0.5}, ""},
	}
	for _, tc := range tests {
		if got := tc.d.detectedBySide(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.d.Kind, got, tc.want)
		}
	}
}
