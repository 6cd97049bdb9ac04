// Package reports sums up misend's decisions over time for the web pages,
// the API and CSV export: verdicts and finding codes per period, per
// department and per code, and what people answered when mail was flagged —
// confirmations and releases (false alarms) against cancellations, dropped
// recipients and rejections (true catches), each as a rate of flagged mail.
//
// It reads the decisions log and the feedback log through two small
// interfaces and returns plain data (series aligned with periods, rows of
// totals) that the web pages draw as charts. It deliberately draws nothing,
// decides nothing, and never reads a finding's operator-only fields: only
// codes, verdicts, departments and counts leave this package.
package reports
