// Package eval measures how well misend catches misdirected mail, the way
// `misend eval` reports it: a corpus is split by time into history and test,
// the model learns the history, and every test message sent by an insider is
// scored as it was sent and again with one recipient replaced by, or joined
// with, a plausible wrong address made by an injection strategy
// (colleague-contact, same-name, lookalike-domain, autocomplete, typo,
// recent-contact). Metrics are detection rates at fixed false-alarm rates on
// clean mail and ROC AUC. It also fits the score's weights on the history's
// last part, scored before it was learned, and reports them on the test
// messages, which no fit sees; `misend import` fits the same way.
//
// It deliberately does not read mail, learn or score by itself: the corpus
// comes in as parsed messages, and scoring and learning go through the small
// Scorer and Learner interfaces, so the real model and detector plug in and
// tests use fakes. Injected mistakes are synthetic; the figures say how well
// misend separates these kinds of mistake from the sender's own habits, not
// how often real senders err.
package eval
