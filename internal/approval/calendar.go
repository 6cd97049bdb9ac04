package approval

import (
	"fmt"
	"strings"
	"time"
)

// Calendar says which time counts towards a deadline: all of it, or only
// business hours on business days that are not holidays, in the
// organisation's time zone. An approver who leaves at six does not find
// in the morning that the night's hours ran out the request.
type Calendar struct {
	Loc *time.Location
	// Open and Close are minutes after midnight; both zero: every hour
	// counts.
	Open, Close int
	Days        [7]bool         // by time.Weekday
	Holidays    map[string]bool // "2006-01-02" in Loc
}

// maxDays bounds the search for business time: a calendar that has none
// within ten years is a configuration error, not a reason to loop.
const maxDays = 3660

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"日": time.Sunday, "月": time.Monday, "火": time.Tuesday, "水": time.Wednesday,
	"木": time.Thursday, "金": time.Friday, "土": time.Saturday,
}

// Calendar returns c's business calendar in loc, the organisation's time
// zone. Without business_hours every hour counts and days and holidays
// are ignored.
func (c *Config) Calendar(loc *time.Location) (Calendar, error) {
	if loc == nil {
		loc = time.Local
	}
	cal := Calendar{Loc: loc}
	if strings.TrimSpace(c.BusinessHours) == "" {
		if len(c.BusinessDays) > 0 || len(c.Holidays) > 0 {
			return Calendar{}, fmt.Errorf("approval: business_days and holidays need business_hours (e.g. \"09:00-18:00\")")
		}
		return cal, nil
	}
	from, to, ok := strings.Cut(c.BusinessHours, "-")
	open, err1 := clock(from)
	end, err2 := clock(to)
	if !ok || err1 != nil || err2 != nil || end <= open {
		return Calendar{}, fmt.Errorf("approval.business_hours: %q is not HH:MM-HH:MM with the end after the start", c.BusinessHours)
	}
	cal.Open, cal.Close = open, end
	days := c.BusinessDays
	if len(days) == 0 {
		days = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	for _, d := range days {
		wd, ok := weekdays[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return Calendar{}, fmt.Errorf("approval.business_days: %q is not a day (mon … sun)", d)
		}
		cal.Days[wd] = true
	}
	cal.Holidays = map[string]bool{}
	for _, h := range c.Holidays {
		t, err := time.Parse("2006-01-02", strings.TrimSpace(h))
		if err != nil {
			return Calendar{}, fmt.Errorf("approval.holidays: %q is not a date like 2027-01-01", h)
		}
		cal.Holidays[t.Format("2006-01-02")] = true
	}
	return cal, nil
}

// clock reads "HH:MM" as minutes after midnight; "24:00" is the end of
// the day.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// AllHours reports whether every hour counts.
func (c Calendar) AllHours() bool { return c.Open == 0 && c.Close == 0 }

// Add returns the moment d of counted time after from: from+d when every
// hour counts, otherwise the end of d business time, starting with the
// rest of the business day from falls in (or the next business day).
func (c Calendar) Add(from time.Time, d time.Duration) time.Time {
	if c.AllHours() || d <= 0 {
		return from.Add(d)
	}
	loc := c.Loc
	if loc == nil {
		loc = time.Local
	}
	t := from.In(loc)
	for range maxDays {
		y, m, day := t.Date()
		if c.Days[t.Weekday()] && !c.Holidays[t.Format("2006-01-02")] {
			// Built from the date, not by adding hours to midnight, so a
			// day with a daylight-saving change keeps its office hours.
			open := time.Date(y, m, day, c.Open/60, c.Open%60, 0, 0, loc)
			end := time.Date(y, m, day, c.Close/60, c.Close%60, 0, 0, loc)
			if t.Before(open) {
				t = open
			}
			if t.Before(end) {
				left := end.Sub(t)
				if d <= left {
					return t.Add(d)
				}
				d -= left
			}
		}
		t = time.Date(y, m, day+1, 0, 0, 0, 0, loc)
	}
	return t
}
