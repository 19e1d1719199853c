#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/report.sh - `report`: report.md, report.html, results.csv and the gnuplot images from a
# sweep's results.json (2 strategies x 3 thread counts x 3 repeats, with samples files). The files
# are well-formed, hold every warning and the recommendation, the CSV has a row per run, and
# without gnuplot the report is still complete and says how to get the plots.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
command -v xmllint >/dev/null || skip "xmllint is missing (apt-get install libxml2-utils)"
fixture=$CCB_SRCDIR/tests/data/report
[ -n "${CCB_REPORTS_DIR:-}" ] || CCB_REPORTS_DIR=$CCB_SRCDIR/reports
export CCB_REPORTS_DIR

# A copy of the fixture as a results folder: results.json and samples/run-<seq>.json.
new_results() {
	rm -rf "$1"
	mkdir -p "$1"
	cp "$fixture/sweep-results.json" "$1/results.json"
	cp -r "$fixture/samples" "$1/samples"
}

# check_report DIR: the three files in DIR are complete and well-formed for DIR/results.json
# (or RESULTS, when given as $2); prints nothing when they are.
check_report() {
	local dir=$1 results=${2:-$1/results.json} svgs
	for f in report.md report.html results.csv; do
		[ -s "$dir/$f" ] || fail "$dir/$f is missing or empty"
	done

	# HTML: well-formed as XML, and the HTML parser finds nothing but the HTML5 tags it does
	# not know (libxml2's HTML parser is HTML 4). --memory: read from a file, libxml2 2.9.14's
	# HTML parser reports "error parsing attribute name" for a valid attribute that happens to
	# end at its input buffer's edge; parsed from memory it has the whole file at once.
	xmllint --noout "$dir/report.html" 2>"$ccb_tmp/xml.err" ||
		{ cat "$ccb_tmp/xml.err" >&2; fail "$dir/report.html is not well-formed"; }
	xmllint --html --memory --noout "$dir/report.html" 2>"$ccb_tmp/html.err" ||
		fail "xmllint --html rejects $dir/report.html"
	if grep 'error' "$ccb_tmp/html.err" | grep -Ev 'Tag [a-z]+ invalid' >&2; then
		fail "xmllint --html: errors in $dir/report.html"
	fi

	# Every inline SVG on its own.
	rm -rf "$ccb_tmp/svg"
	mkdir "$ccb_tmp/svg"
	"$PY" - "$dir/report.html" "$ccb_tmp/svg" <<'PYEOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for i, svg in enumerate(re.findall(r"<svg\b.*?</svg>", html, re.S)):
    open("%s/%03d.svg" % (sys.argv[2], i), "w", encoding="utf-8").write(svg)
PYEOF
	svgs=$(find "$ccb_tmp/svg" -name '*.svg' | wc -l)
	[ "$svgs" -ge 1 ] || fail "$dir/report.html has no inline SVG"
	for f in "$ccb_tmp/svg"/*.svg; do
		xmllint --noout "$f" || fail "inline SVG $(basename "$f") of $dir/report.html is not well-formed"
	done

	# CSV: a header and one line per run.
	lines=$(wc -l <"$dir/results.csv")
	runs=$(json "$results" 'len(d["runs"])')
	[ "$lines" = $((runs + 1)) ] || fail "$dir/results.csv has $lines lines for $runs runs"

	"$PY" - "$results" "$dir" "$svgs" <<'PYEOF' || fail "$dir: the reports do not agree with $results"
import csv, html.parser, json, math, os, re, sys
d = json.load(open(sys.argv[1]))
out = sys.argv[2]
nsvg = int(sys.argv[3])
md = open(out + "/report.md", encoding="utf-8").read()
raw = open(out + "/report.html", encoding="utf-8").read()
bad = []

# Markdown escapes ASCII punctuation with a backslash; the text a reader sees is without them.
md_text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md)

class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
    def handle_data(self, data):
        self.parts.append(data)
t = Text()
t.feed(raw)
html_text = "".join(t.parts)

cells = d.get("cells") or []
warnings = list(d.get("warnings", []))
for r in d["runs"]:
    warnings += r.get("warnings", []) + r.get("errors", [])
# Each kind of warning is listed once, in the words of its first (analysis/warn_groups.c):
# figures and quoted names aside, every warning must be there.
def kind(w):
    return re.sub(r"\d+(\.\d+)*", "#", re.sub(r"'[^']*'", "'*'", w))
for w in warnings:
    alike = [x for x in warnings if kind(x) == kind(w)]
    if not any(x in md_text for x in alike):
        bad.append("report.md lacks the warning %r" % w)
    if not any(x in html_text for x in alike):
        bad.append("report.html lacks the warning %r" % w)
for c in cells:
    for flag in c["flags"]:
        if flag not in md_text or flag not in html_text:
            bad.append("a report lacks the flag %r of %s/%d" % (flag, c["strategy"], c["threads"]))
    med = "%.1f" % c["median_mb_s"] if c.get("median_mb_s") is not None else None
    if med and (med not in md_text or med not in html_text):
        bad.append("a report lacks the median %s of %s/%d" % (med, c["strategy"], c["threads"]))
for r in d["runs"]:
    v = "%.1f" % r["mb_s"]
    if v not in md_text or v not in html_text:
        bad.append("a report lacks run %d's %s MB/s" % (r["seq"], v))
rec = d.get("recommendation")
if rec:
    setting = "%s=%s" % (rec["variable"], rec["threads"])
    for name, text in (("report.md", md_text), ("report.html", html_text)):
        if setting not in text:
            bad.append("%s lacks %s" % (name, setting))
        if rec["confidence"] not in text:
            bad.append("%s lacks the confidence %s" % (name, rec["confidence"]))
# Text from the JSON is escaped: a warning's "<lab>" must not become a tag.
if re.search(r"<lab>", raw):
    bad.append("report.html holds '<lab>' unescaped")
# One chart for throughput, two per run that has samples.
base = os.path.dirname(sys.argv[1])
present = [r for r in d["runs"] if (r.get("sampler") or {}).get("samples_file") and
           os.path.exists(os.path.join(base, r["sampler"]["samples_file"]))]
watch = (d.get("watch") or {}).get("sampler") or {}
watched = bool(watch.get("samples_file")) and os.path.exists(os.path.join(base, watch["samples_file"]))
want = (1 if d["runs"] else 0) + 2 * len(present) + 2 * watched
if nsvg != want:
    bad.append("report.html has %d charts, expected %d" % (nsvg, want))

rows = list(csv.DictReader(open(out + "/results.csv", encoding="utf-8", newline="")))
header = ["seq", "strategy", "threads", "jobs", "repeat", "mb_s", "seconds_durable", "residency_pct",
          "cold", "cell_flags", "warnings", "errors", "session_warnings"]
for h in header:
    if rows and h not in rows[0]:
        bad.append("results.csv has no column %s" % h)
if len(rows) != len(d["runs"]):
    bad.append("results.csv has %d rows for %d runs" % (len(rows), len(d["runs"])))
for row, r in zip(rows, d["runs"]):
    if int(row["seq"]) != r["seq"] or row["strategy"] != r["strategy"] or int(row["threads"]) != r["threads"]:
        bad.append("results.csv row %s is not run %d" % (row["seq"], r["seq"]))
    if not math.isclose(float(row["mb_s"]), r["mb_s"], rel_tol=1e-9):
        bad.append("results.csv run %d: mb_s %s, JSON %r" % (r["seq"], row["mb_s"], r["mb_s"]))
    if row["cold"] != ("true" if r["cold"]["cold"] else "false"):
        bad.append("results.csv run %d: cold %s" % (r["seq"], row["cold"]))
    for w in r["warnings"]:
        if w not in row["warnings"]:
            bad.append("results.csv run %d lacks the warning %r" % (r["seq"], w))
    for w in d["warnings"]:
        if w not in row["session_warnings"]:
            bad.append("results.csv run %d lacks the session warning %r" % (r["seq"], w))
    cell = [c for c in cells if c["strategy"] == r["strategy"] and c["threads"] == r["threads"]]
    for flag in cell[0]["flags"] if cell else []:
        if flag not in row["cell_flags"]:
            bad.append("results.csv run %d lacks its cell's flag %s" % (r["seq"], flag))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF
}

# An empty PATH: no gnuplot (nor anything else; the tool needs nothing from PATH to report).
mkdir "$ccb_tmp/nobin"

note "without gnuplot: the report is complete and says how to get the plots"
res=$ccb_tmp/nognuplot
new_results "$res"
rc=0
env PATH="$ccb_tmp/nobin" "$CCB" report "$res/results.json" >"$ccb_tmp/out" 2>"$ccb_tmp/err" || rc=$?
[ "$rc" = 0 ] || { cat "$ccb_tmp/err" >&2; fail "report without gnuplot exited $rc"; }
printf '%s\n' "$res/report.md" "$res/report.html" "$res/results.csv" | cmp -s - "$ccb_tmp/out" ||
	{ cat "$ccb_tmp/out" >&2; fail "report did not print the paths of the three files"; }
grep -q 'Plots were skipped: gnuplot was not found on PATH' "$res/report.md" ||
	fail "report.md does not say the plots were skipped"
grep -q 'apt-get install gnuplot-nox' "$res/report.md" || fail "report.md does not say how to get plots"
grep -q 'apt-get install gnuplot-nox' "$res/report.html" || fail "report.html does not say how to get plots"
grep -q 'plots skipped' "$ccb_tmp/err" || fail "no message on stderr about the skipped plots"
[ ! -e "$res/plots/throughput.svg" ] || fail "plots appeared without gnuplot"
check_report "$res"

# A binary in a build tree finds reports/*.gp beside it, without CCB_REPORTS_DIR; without them
# the report names the folders it looked in and does not tell to install gnuplot, which is there.
if command -v gnuplot >/dev/null; then
	note "reports/ beside the binary: plots without CCB_REPORTS_DIR; none: gnuplot not blamed"
	tree=$ccb_tmp/tree
	mkdir "$tree"
	cp "$CCB" "$tree/cryocache-bench"
	res=$ccb_tmp/beside
	new_results "$res"
	expect_ok env -u CCB_REPORTS_DIR "$tree/cryocache-bench" report "$res"
	grep -q 'Plots were skipped' "$res/report.md" || fail "no reports/ and no message in report.md"
	grep -q "no readable 'throughput.gp' in '$tree/reports'" "$res/report.md" ||
		fail "report.md does not name the folder beside the binary"
	! grep -q 'install gnuplot' "$res/report.md" "$res/report.html" "$ccb_tmp/err" ||
		fail "the missing scripts are blamed on gnuplot, which is installed"
	cp -r "$CCB_SRCDIR/reports" "$tree/reports"
	new_results "$res"
	expect_ok env -u CCB_REPORTS_DIR "$tree/cryocache-bench" report "$res"
	[ -s "$res/plots/throughput.svg" ] || fail "reports/ beside the binary: no throughput.svg"
	! grep -q 'Plots were skipped' "$res/report.md" || fail "reports/ beside the binary: skipped"
fi

note "--no-plots, --out elsewhere: samples are still read from the results folder"
res=$ccb_tmp/noplots
new_results "$res"
expect_ok "$CCB" report --no-plots --out "$ccb_tmp/elsewhere" "$res"
grep -q 'Plots were skipped (--no-plots)' "$ccb_tmp/elsewhere/report.md" ||
	fail "report.md does not say --no-plots skipped the plots"
[ ! -e "$ccb_tmp/elsewhere/plots" ] && [ ! -e "$res/report.md" ] || fail "--out wrote outside DIR"
check_report "$ccb_tmp/elsewhere" "$res/results.json"

note "diag's online discard on DST and free page reporting: a sentence each, only with both conditions"
res=$ccb_tmp/diagnotes
new_results "$res"
"$PY" - "$res/results.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["diag"] = {"locations": [{"role": "destination", "mount_point": "/scratch", "fs_type": "ext4",
                            "discard": True}],
             "machine": {"free_page_reporting": True}}
for i, r in enumerate(d["runs"]):
    r["wall_s"] = r["seconds_durable"] + 1.0
    r["overhead_s"] = {"delete": 0.7, "sync": 0.1, "other": 0.2, "total": 1.0}
    r["background_s"] = {"remove": 0.5 if i % 2 else 0.4}
json.dump(d, open(sys.argv[1], "w"), indent=1)
PYEOF
expect_ok "$CCB" report --no-plots "$res"
check_report "$res"
for f in report.md report.html; do
	grep -q 'DST (/scratch, ext4) is mounted with online discard' "$res/$f" ||
		fail "$f does not name DST's online discard as why the removal took the most time"
	grep -q 'free page reporting), a likely cause of the noisy cells' "$res/$f" ||
		fail "$f does not name free page reporting beside the noisy cells"
done
"$PY" - "$res/results.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["diag"]["locations"][0]["discard"] = False
d["diag"]["machine"]["free_page_reporting"] = False
json.dump(d, open(sys.argv[1], "w"), indent=1)
PYEOF
expect_ok "$CCB" report --no-plots "$res"
! grep -q 'online discard\|free page reporting' "$res/report.md" "$res/report.html" ||
	fail "the reports name discard or free page reporting that diag did not find"

note "a run's results.json: no cells, no recommendation, one samples file missing"
res=$ccb_tmp/single
new_results "$res"
"$PY" - "$res/results.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
del d["cells"], d["recommendation"]
json.dump(d, open(sys.argv[1], "w"), indent=1)
PYEOF
rm "$res/samples/run-5.json"
expect_ok "$CCB" report --no-plots "$res/results.json"
check_report "$res"
grep -q "run 5: cannot read '.*samples/run-5.json': " "$res/report.md" ||
	fail "report.md does not say that run 5's samples file is missing"
# The cells are computed from the runs: the same medians as the sweep's.
for med in $(json "$fixture/sweep-results.json" '" ".join("%.1f" % c["median_mb_s"] for c in d["cells"])'); do
	grep -q "| $med |" "$res/report.md" || fail "report.md lacks the computed median $med"
done

note "the recommendation's table, the seed used, --verify in every rendering"
res=$ccb_tmp/verified
new_results "$res"
# --seed 0 drew 4242 from the clock; every run verified its 70 copies, run 7 found 2 that differ
"$PY" - "$res/results.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["params"]["seed"] = 0
d["sweep"]["seed"] = 4242
# the fixture is older than "1 thread" in the first-run warning
d["warnings"] = [w.replace(" at 1 threads ", " at 1 thread ") for w in d["warnings"]]
for r in d["runs"]:
    r["verify"] = {"hash": "xxh3-64", "checked": 70, "mismatches": 2 if r["seq"] == 7 else 0,
                   "seconds": 1.5}
json.dump(d, open(sys.argv[1], "w"), indent=1)
PYEOF
expect_ok "$CCB" report --no-plots "$res"
check_report "$res"
# each shutil thread count once, and no row of another strategy's thread count
rows=$(sed -n '/^| shutil threads /,/^$/p' "$res/report.md" | grep -E '^\| [0-9]+ \|' | cut -d'|' -f2 | tr -d ' ')
[ "$(echo $rows)" = "1 2 4" ] || fail "the recommendation's table lists the thread counts '$(echo $rows)', not 1 2 4"
grep -q 'fastest of any strategy: \*\*' "$res/report.md" && fail "report.md still has a row for the fastest strategy"
grep -q '^Fastest median of any strategy: \*\*rw\*\* at 4 threads, 1603.5 MB/s' "$res/report.md" ||
	fail "report.md does not name the fastest strategy below the table"
grep -q 'headroom it leaves\|x CryoSPARC' "$res/report.md" &&
	fail "report.md shows a headroom beside 'keep the default' without judging it"
for f in report.md report.html; do
	grep -q 'seed=4242 (from the clock)' "$res/$f" || fail "$f does not show the seed the sweep used"
	grep -q 'seed=0' "$res/$f" && fail "$f shows seed=0"
	grep -q '1 threads' "$res/$f" && fail "$f says '1 threads'"
done
grep -q '| verify | notes |' "$res/report.md" || fail "report.md's runs table has no verify column"
grep -q '| 70 ok | ' "$res/report.md" || fail "report.md does not show a verified run's 70 copies"
grep -q '| 2 of 70 differ | ' "$res/report.md" || fail "report.md does not show run 7's mismatches"
grep -q '\*\*Verify:\*\* 18 runs verified: 1260 copies checked against their sources (xxh3-64), 2 differ or could not be read, in 1 run\.' "$res/report.md" ||
	fail "report.md has no verify summary"
grep -q '<th class="n">verify</th>' "$res/report.html" || fail "report.html's runs table has no verify column"
grep -q '<td class="n">2 of 70 differ</td>' "$res/report.html" || fail "report.html does not show run 7's mismatches"
grep -q '<b>Verify:</b> 18 runs verified' "$res/report.html" || fail "report.html has no verify summary"
"$PY" - "$res/results.csv" <<'PYEOF' || fail "results.csv lacks the verify columns"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert all(r["verify_checked"] == "70" for r in rows), [r["verify_checked"] for r in rows]
assert {r["seq"]: r["verify_mismatches"] for r in rows}["7"] == "2"
assert sum(int(r["verify_mismatches"]) for r in rows) == 2
PYEOF

note "samples in CSV (--samples-format csv) draw the same charts"
res=$ccb_tmp/csvsamples
new_results "$res"
"$PY" - "$res" <<'PYEOF'
import json, sys
res = sys.argv[1]
d = json.load(open(res + "/results.json"))
for r in d["runs"]:
    rel = r["sampler"]["samples_file"]
    s = json.load(open(res + "/" + rel))
    with open(res + "/" + rel[:-5] + ".csv", "w") as f:
        f.write(",".join(c[2] if c[0] == "time" else ":".join(x for x in c if x) for c in s["columns"]) + "\n")
        for row in s["rows"]:
            f.write(",".join("" if v is None else repr(v) for v in row) + "\n")
    r["sampler"]["samples_file"] = rel[:-5] + ".csv"
json.dump(d, open(res + "/results.json", "w"), indent=1)
PYEOF
rm "$res"/samples/*.json
expect_ok "$CCB" report --no-plots "$res"
check_report "$res"
[ "$(grep -c '<div class="card">' "$res/report.html")" = "$(json "$res/results.json" 'len(d["runs"])')" ] ||
	fail "report.html does not draw every run from CSV samples"

note "a watch folder: what the devices did, no runs"
expect_ok "$CCB" watch --count 1 --interval 0.2 --out "$ccb_tmp/watch" "$ccb_tmp"
expect_ok env PATH="$ccb_tmp/nobin" "$CCB" report "$ccb_tmp/watch"
check_report "$ccb_tmp/watch"
grep -q '^Watched `' "$ccb_tmp/watch/report.md" || fail "report.md of a watch does not say what was watched"
grep -q '<div class="card">' "$ccb_tmp/watch/report.html" || fail "report.html of a watch has no chart"

# A results folder may hold what someone else put there: a symlink out of it to a file only root
# reads (its first token once appeared in report.md), a FIFO nobody writes (report waited on it
# forever). Neither is read; each is named in a note, and the rest of the report is made.
note "symlinks and FIFOs in a results folder are not read"
res=$ccb_tmp/planted
new_results "$res"
printf 'SECRETTOKEN rest of a private file\n' >"$ccb_tmp/private"
chmod 600 "$ccb_tmp/private"
ln -sf "$ccb_tmp/private" "$res/samples/run-1.json"
rm "$res/samples/run-2.json"
mkfifo "$res/samples/run-2.json"
expect_ok timeout 60 "$CCB" report --no-plots "$res"
! grep -q SECRETTOKEN "$res/report.md" "$res/report.html" "$res/results.csv" ||
	fail "a file outside the results folder leaked into the report"
grep -q "run 1: cannot read '$res/samples/run-1.json': a symbolic link, not followed" "$res/report.md" ||
	fail "report.md does not name the symlinked samples file"
grep -q "run 2: cannot read '$res/samples/run-2.json': a FIFO, not a regular file" "$res/report.md" ||
	fail "report.md does not name the FIFO"
# The samples folder itself a symlink out of the folder.
res2=$ccb_tmp/planted2
new_results "$res2"
mv "$res2/samples" "$ccb_tmp/elsewhere-samples"
ln -s "$ccb_tmp/elsewhere-samples" "$res2/samples"
expect_ok timeout 60 "$CCB" report --no-plots "$res2"
grep -q "run 1: cannot read '$res2/samples/run-1.json': 'samples' is a symbolic link, not followed" \
	"$res2/report.md" || fail "report.md does not say the samples folder is a symlink"
# results.json itself: a symlink in the folder, or a FIFO, is refused at once.
ln -sf "$ccb_tmp/private" "$res2/results.json"
expect_fail 1 "cannot read '$res2/results.json': a symbolic link, not followed" \
	timeout 60 "$CCB" report --no-plots "$res2"
rm "$res2/results.json"
mkfifo "$res2/results.json"
expect_fail 1 "cannot read '$res2/results.json': a FIFO, not a regular file" \
	timeout 60 "$CCB" report --no-plots "$res2"
expect_fail 1 "cannot read '$res2/results.json': a FIFO, not a regular file" \
	timeout 60 "$CCB" report --no-plots "$res2/results.json"
expect_fail 2 "compare: cannot read '$res2/results.json': a FIFO, not a regular file" \
	timeout 60 "$CCB" compare "$res" "$res2"

note "refusals"
expect_fail 1 "cannot read '$ccb_tmp/none.json'" "$CCB" report "$ccb_tmp/none.json"
echo '{"schema": "other/1", "runs": []}' >"$ccb_tmp/other.json"
expect_fail 1 "is not a results.json of schema 'cryocache-bench/1'" "$CCB" report "$ccb_tmp/other.json"
touch "$ccb_tmp/a-file"
expect_fail 1 "cannot write the report into '$ccb_tmp/a-file/out': Not a directory" \
	"$CCB" report --no-plots --out "$ccb_tmp/a-file/out" "$res"
expect_fail 2 "" "$CCB" report
expect_fail 2 "" "$CCB" report --bogus "$res"

command -v gnuplot >/dev/null || skip "gnuplot is missing (apt-get install gnuplot-nox): the rest was checked, the plots were not"

note "with gnuplot: svg and png for throughput and every run with samples"
res=$ccb_tmp/plots
new_results "$res"
expect_ok "$CCB" report "$res/results.json"
check_report "$res"
nruns=$(json "$res/results.json" 'len(d["runs"])')
for base in throughput $(seq -f 'run-%g' 1 "$nruns"); do
	svg=$res/plots/$base.svg
	png=$res/plots/$base.png
	[ -s "$svg" ] || fail "$svg is missing"
	xmllint --noout "$svg" || fail "$svg is not well-formed"
	grep -q '<svg' "$svg" || fail "$svg is not an SVG"
	[ "$(head -c 4 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e47 ] || fail "$png is not a PNG"
	grep -Fqx "$svg" "$ccb_tmp/out" || fail "report did not print $svg"
done
grep -q '!\[throughput per thread count\](plots/throughput.svg)' "$res/report.md" ||
	fail "report.md does not show plots/throughput.svg"
grep -q 'Plots were skipped' "$res/report.md" && fail "report.md says plots were skipped although gnuplot ran"
grep -q 'href="plots/run-1.png"' "$res/report.html" || fail "report.html does not link the run plots"
[ ! -e "$res/plots/gnuplot.log" ] || { cat "$res/plots/gnuplot.log" >&2; fail "gnuplot complained"; }
"$PY" - "$res" <<'PYEOF' || fail "the plots are not drawn as report.html draws them"
import re, sys
res = sys.argv[1]
bad = []
# throughput.dat: the strategies side by side at each thread count, as report.html dodges them
blocks = [b for b in open(res + "/plots/throughput.dat").read().split("\n\n\n") if b.strip()]
xs = [{int(l.split()[0]): float(l.split()[1]) for l in b.splitlines() if l[:1].isdigit()} for b in blocks]
if len(xs) != 2 or set(xs[0]) != {1, 2, 4}:
    bad.append("throughput.dat: %r" % xs)
elif not all(xs[0][t] < t < xs[1][t] for t in xs[0]):
    bad.append("throughput.dat does not set the strategies apart: %r" % xs)
# the axis says log scale exactly when it is one (1, 2, 4: a factor of 4), a tick per count
svg = open(res + "/plots/throughput.svg").read()
if "threads (log scale)" not in svg:
    bad.append("throughput.svg does not say its x axis is log2")
for t in ("1", "2", "4"):
    if not re.search(r">\s*%s\s*<" % t, svg):
        bad.append("throughput.svg has no tick %s" % t)
# every run: the moment the copy ended and syncfs began is marked
for n in range(1, 19):
    if "copied, then syncfs" not in open("%s/plots/run-%d.svg" % (res, n)).read():
        bad.append("run-%d.svg does not mark the end of the copy" % n)
# report.html: every run card's MB/s chart on one scale, the end of the copy marked
html = open(res + "/report.html").read()
cards = re.findall(r'<div class="card">(.*?)</div>', html, re.S)
tops = set()
for c in cards:
    mbs = re.search(r'aria-label="MB/s">(.*?)</svg>', c, re.S).group(1)
    ticks = [float(v) for v in re.findall(r'text-anchor="end">([0-9.]+)</text>', mbs)]
    tops.add(max(ticks))
    if "copied, then syncfs" not in mbs:
        bad.append("a run card does not mark the end of the copy")
if len(cards) != 18 or len(tops) != 1:
    bad.append("%d run cards on %d y scales (%r)" % (len(cards), len(tops), sorted(tops)))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF

note "fio's ceiling: its label clear of every point, in report.html and the gnuplot image"
res=$ccb_tmp/ceiling
new_results "$res"
"$PY" - "$res/results.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["reference"] = {"fio_version": "fio-3.33", "ceiling_mb_s": 1150.0, "copy_direct_mb_s": 1100.0,
                  "copy_buffered_mb_s": 1150.0, "measurements": []}
json.dump(d, open(sys.argv[1], "w"), indent=1)
PYEOF
expect_ok "$CCB" report "$res"
"$PY" - "$res/report.html" <<'PYEOF' || fail "the fio ceiling's label is not clear of the points"
import re, sys
svg = re.findall(r"<svg\b.*?</svg>", open(sys.argv[1]).read(), re.S)[0]
label = re.search(r'<text x="([0-9.]+)" y="[0-9.]+" font-size="11" fill="#8b1a1a">'
                  r'<tspan[^>]*>fio ceiling</tspan><tspan[^>]*>1150 MB/s</tspan></text>', svg)
xs = [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', svg)]
xs += [float(x) for x in re.findall(r'<path d="M([0-9.]+) ', svg)]
assert label, "no ceiling label"
assert xs and max(xs) + 8 < float(label.group(1)), (max(xs), label.group(1))
PYEOF
grep -q 'above the fio ceiling: rw at 4 threads reached 1603 MB/s, 139 % of' "$res/report.md" ||
	fail "report.md does not warn of rw above the ceiling"
grep -q 'fio ceiling' "$res/plots/throughput.svg" || fail "throughput.svg has no ceiling"
[ ! -e "$res/plots/gnuplot.log" ] || { cat "$res/plots/gnuplot.log" >&2; fail "gnuplot complained"; }
exit 0
