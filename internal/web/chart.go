package web

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/misend/misend/internal/reports"
)

// Charts are drawn here as inline SVG from numbers only; every label passes
// through html.EscapeString, which is what makes handing the result to the
// template as trusted HTML safe.

// palette gives each series a colour that stays apart for common colour
// blindness (Okabe–Ito).
var palette = []string{"#009E73", "#F0E442", "#56B4E9", "#E69F00", "#D55E00", "#CC79A7", "#0072B2", "#999999"}

var verdictColour = map[string]string{"pass": "#009E73", "warn": "#F0E442", "delay": "#56B4E9", "confirm": "#E69F00", "hold": "#D55E00", "reject": "#CC79A7"}

const (
	chartW, chartH = 720, 260
	padL, padR     = 48, 12
	padT, padB     = 12, 40
)

func periodLabel(t time.Time, b reports.Bucket) string {
	switch b {
	case reports.Hour:
		return t.Format("01-02 15h")
	case reports.Month:
		return t.Format("2006-01")
	}
	return t.Format("01-02")
}

// niceMax rounds a maximum up so that each of the four grid steps is 1,
// 2 or 5 times a power of ten: the grid labels stay whole, round numbers.
func niceMax(m int) int {
	if m <= 4 {
		return 4
	}
	for p := 1; ; p *= 10 {
		for _, f := range []int{1, 2, 5} {
			if 4*f*p >= m {
				return 4 * f * p
			}
		}
	}
}

func svgOpen(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		chartW, chartH, html.EscapeString(title), html.EscapeString(title))
}

// axes draws the value grid and every k-th period label.
func axes(b *strings.Builder, periods []time.Time, bucket reports.Bucket, top int) {
	plotH := chartH - padT - padB
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		y := padT + plotH - plotH*i/4
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" text-anchor="end" fill="#333">%d</text>`, padL-4, y+4, v)
	}
	n := len(periods)
	if n == 0 {
		return
	}
	step := max(1, (n+11)/12)
	slot := float64(chartW-padL-padR) / float64(n)
	for i := 0; i < n; i += step {
		x := float64(padL) + slot*(float64(i)+0.5)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#333">%s</text>`, x, chartH-padB+16, html.EscapeString(periodLabel(periods[i], bucket)))
	}
}

func legend(b *strings.Builder, names []string, colour func(int, string) string, label func(string) string) {
	x := padL
	for i, n := range names {
		l := label(n)
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/>`, x, chartH-14, colour(i, n))
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" fill="#333">%s</text>`, x+14, chartH-5, html.EscapeString(l))
		x += 24 + textWidth(l, 11)
	}
}

// stackedBars draws one stacked bar per period, one segment per series.
func stackedBars(title string, periods []time.Time, bucket reports.Bucket, series []reports.Series, label func(string) string) string {
	var b strings.Builder
	svgOpen(&b, title)
	m := 0
	for i := range periods {
		sum := 0
		for _, s := range series {
			if i < len(s.Values) {
				sum += s.Values[i]
			}
		}
		m = max(m, sum)
	}
	top := niceMax(m)
	axes(&b, periods, bucket, top)
	plotH := float64(chartH - padT - padB)
	slot := float64(chartW-padL-padR) / float64(max(1, len(periods)))
	barW := max(1, slot*0.7)
	for i, p := range periods {
		y := float64(padT) + plotH
		x := float64(padL) + slot*float64(i) + (slot-barW)/2
		for k, s := range series {
			if i >= len(s.Values) || s.Values[i] == 0 {
				continue
			}
			h := plotH * float64(s.Values[i]) / float64(top)
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				x, y, barW, h, colourOf(k, s.Name), html.EscapeString(periodLabel(p, bucket)), html.EscapeString(label(s.Name)), s.Values[i])
		}
	}
	names := make([]string, len(series))
	for i, s := range series {
		names[i] = s.Name
	}
	legend(&b, names, colourOf, label)
	b.WriteString(`</svg>`)
	return b.String()
}

func colourOf(i int, name string) string {
	if c, ok := verdictColour[name]; ok {
		return c
	}
	return palette[i%len(palette)]
}

// lines draws one polyline per series.
func lines(title string, periods []time.Time, bucket reports.Bucket, series []reports.Series, label func(string) string) string {
	var b strings.Builder
	svgOpen(&b, title)
	m := 0
	for _, s := range series {
		for _, v := range s.Values {
			m = max(m, v)
		}
	}
	top := niceMax(m)
	axes(&b, periods, bucket, top)
	plotH := float64(chartH - padT - padB)
	slot := float64(chartW-padL-padR) / float64(max(1, len(periods)))
	for k, s := range series {
		var pts []string
		for i, v := range s.Values {
			x := float64(padL) + slot*(float64(i)+0.5)
			y := float64(padT) + plotH - plotH*float64(v)/float64(top)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		if len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"><title>%s</title></polyline>`, strings.Join(pts, " "), palette[(k+3)%len(palette)], html.EscapeString(label(s.Name)))
		}
	}
	names := make([]string, len(series))
	for i, s := range series {
		names[i] = s.Name
	}
	legend(&b, names, func(i int, _ string) string { return palette[(i+3)%len(palette)] }, label)
	b.WriteString(`</svg>`)
	return b.String()
}

// hbars draws one horizontal bar per row, e.g. messages per finding code.
func hbars(title string, labels []string, values []int) string {
	var b strings.Builder
	rowH := 22
	h := padT + rowH*len(labels) + 8
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		chartW, h, html.EscapeString(title), html.EscapeString(title))
	m := 0
	for _, v := range values {
		m = max(m, v)
	}
	top := niceMax(m)
	labelW := 230
	plotW := float64(chartW - labelW - padR - 50)
	for i, l := range labels {
		y := padT + rowH*i
		w := plotW * float64(values[i]) / float64(top)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#333">%s</text>`, labelW-6, y+14, html.EscapeString(l))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="16" fill="%s"/>`, labelW, y+2, w, palette[6])
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" fill="#333">%d</text>`, float64(labelW)+w+4, y+14, values[i])
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// textWidth estimates the width in pixels of s at font size px: Japanese
// (wide) characters take a full em, others a little over half.
func textWidth(s string, px int) int {
	w := 0.0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6)) {
			w += float64(px)
		} else {
			w += 0.62 * float64(px)
		}
	}
	return int(w + 0.5)
}
