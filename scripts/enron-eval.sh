#!/usr/bin/env bash
# Measures misend on real mail the way an installation lives: the Enron
# mailboxes (sent and received mail of 107 people, ../shared/data), history
# before a date, checked after it, weights fitted on history only.
#
#   scripts/enron-eval.sh [SPLIT_DATE] [MAX_TEST]
#
# 1. Out of the box: `misend import --before SPLIT_DATE` learns the history
#    and fits the weights on it, as every import does; `misend eval` then
#    scores the mail sent from SPLIT_DATE on with those stored weights
#    (clean, and with each kind of slip injected) and prints the bottom line.
# 2. The same replay with the built-in weights, and the linear-only and
#    full fits eval makes on the history's last quarter, for comparison.
#
# Figures in README come from this script with its defaults. It needs ~2 GB
# of disk for the unpacked mailboxes and takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
split=${1:-2001-10-01}
max=${2:-12000}
data=${ENRON_TAR:-../shared/data/enron-mailboxes.tar.xz}
work=${ENRON_WORK:-${TMPDIR:-/tmp}/misend-enron}
mkdir -p "$work"
if [ ! -d "$work/enron" ]; then
  echo "unpacking $data into $work" >&2
  tar -xJf "$data" -C "$work"
fi
go build -o "$work/misend" ./cmd/misend
db="$work/history-$split.db"
rm -f "$db" "$db-wal" "$db-shm"
# The topic key decides which words share a counter of the table of word
# frequencies, and so moves each figure by up to a point: a key made
# from a fixed phrase makes the figures the same on every run. An
# installation keeps a random one.
key="$work/topic.key"
printf 'misend enron eval' | sha256sum | cut -c1-64 > "$key"
chmod 600 "$key"
echo "== import --before $split (learns the history and fits the weights on it)"
"$work/misend" import --db "$db" --org-domain enron.com --topic-key-file "$key" --before "$split" "$work/enron"
echo
echo "== eval: mail from $split on, with the weights import stored (out of the box)"
"$work/misend" eval --db "$db" --org-domain enron.com --split-date "$split" --max-test "$max" "$work/enron"
echo
echo "== eval: the same mail with the built-in weights, and with weights eval fits on the history"
"$work/misend" eval --db "$db" --org-domain enron.com --split-date "$split" --max-test "$max" --builtin-weights "$work/enron"
