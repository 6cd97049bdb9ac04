package approval

import (
	"testing"
	"time"
)

// FuzzCalendar: any business_hours, days and holidays a file may hold
// either are refused or give a calendar whose deadlines come in bounded
// time, never before the start, and never later than a longer wait's.
func FuzzCalendar(f *testing.F) {
	for _, s := range []string{"09:00-18:00", "00:00-24:00", "18:00-09:00", "9-18", "", "08:30-08:31", "23:59-24:00", "\x00-\xff"} {
		f.Add(s, "mon", "2027-01-01", int64(4*time.Hour))
	}
	f.Add("09:00-18:00", "日", "2026-12-31", int64(time.Minute))
	f.Fuzz(func(t *testing.T, hours, day, holiday string, d int64) {
		c := Config{BusinessHours: hours, BusinessDays: []string{day}, Holidays: []string{holiday}}
		cal, err := c.Calendar(time.UTC)
		if err != nil {
			return
		}
		d %= int64(30 * 24 * time.Hour)
		if d < 0 {
			d = -d
		}
		from := time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC)
		a := cal.Add(from, time.Duration(d))
		b := cal.Add(from, time.Duration(d)+time.Hour)
		if a.Before(from) || b.Before(a) {
			t.Fatalf("Add(%s) = %s, +1h = %s", time.Duration(d), a, b)
		}
	})
}
