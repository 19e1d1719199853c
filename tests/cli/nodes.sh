#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/nodes.sh - run and sweep across nodes under mpirun, 2 and 3 ranks on this one machine
# (--allow-shared-host): every rank runs the same plan entry of every run, no rank starts its
# copy before every rank is cold (the barrier), the run's rate is the bytes of all ranks over
# the span from the earliest start to the latest end, --nodes makes a scaling curve and a
# recommendation per node count, --node-files split shares the set out, several ranks on one host
# are refused without --allow-shared-host, a rank stopped or killed mid-sweep fails the run on all
# ranks naming it while the finished runs stay, and results.json renders.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
command -v mpirun >/dev/null || skip "mpirun is missing (apt-get install mpi-default-bin)"
ccb_make_set --stacks 12 --box 96 --particles 30-60 --seed 19
"$CCB" sweep --nodes 2 "$src" "$dst" >/dev/null 2>"$ccb_tmp/probe.err" || true
grep -q 'this build has no MPI' "$ccb_tmp/probe.err" && skip "this build has no MPI (configure --with-mpi)"
ccb_lock_if_root
setbytes=$(find "$src" -type f -name '*.mrcs' -printf '%s\n' | awk '{s += $1} END {print s}')

# Open MPI refuses root without --allow-run-as-root; several ranks on 2 cores need --oversubscribe.
mpi() {
	local np=$1
	shift
	local root=
	[ "$(id -u)" = 0 ] && root=--allow-run-as-root
	mpirun --oversubscribe $root -np "$np" "$@"
}

sweep_opts="--strategies shutil --threads 1,2 --repeats 2 --warmup 0 --min-run 0 --confirm 0 --no-plots"

# Checks every run of a sweep across nodes must pass, whatever its node counts.
across_checks=(
	"d['cluster']['shared_host'] is True and d['cluster']['allow_shared_host'] is True"
	"d['cluster']['hosts'] == 1 and len(d['nodes']) == d['cluster']['world_size']"
	"[n['rank'] for n in d['nodes']] == list(range(len(d['nodes'])))"
	"len(set(n['pid'] for n in d['nodes'])) == len(d['nodes']) and all(n['error'] is None for n in d['nodes'])"
	"all(n['cache_drop'] in ('drop_caches', 'fadvise') and 'locations' in n['diag'] for n in d['nodes'])"
	"any(w.startswith('--allow-shared-host: ') for w in d['warnings'])"
	"all(r['errors'] == [] and not r['aborted'] for r in runs)"
	"all([p['rank'] for p in r['per_node']] == list(range(r['nodes'])) for r in runs)"
	# the same plan on every rank: each part ran the run's own entry, in the same order
	"all(p['ran'] == {k: r[k] for k in ('seq', 'strategy', 'threads', 'jobs', 'repeat', 'plan_index') if k in r} for r in runs for p in r['per_node'])"
	"[r['plan_index'] for r in counted] == list(range(len(d['sweep']['plan'])))"
	"[(p['strategy'], p['threads'], p['nodes']) for p in d['sweep']['plan']] == [(r['strategy'], r['threads'], r['nodes']) for r in counted]"
	# the barrier: no rank started its copy before every rank had its cache cold
	"all(max(p['timing']['prepared_at_us'] for p in r['per_node']) <= min(p['timing']['released_at_us'] for p in r['per_node']) for r in runs)"
	"all(max(p['timing']['prepared_at_us'] for p in r['per_node']) <= min(p['timing']['started_at_us'] for p in r['per_node']) for r in runs)"
	# the aggregate: the bytes of all ranks over the span, for both clocks
	"all(r['bytes'] == sum(p['bytes'] for p in r['per_node']) for r in runs)"
	"all(close(r['seconds_durable'], max(p['timing']['end_durable_s'] for p in r['per_node']) - min(p['timing']['start_s'] for p in r['per_node'])) for r in runs)"
	"all(close(r['seconds_copied'], max(p['timing']['end_copied_s'] for p in r['per_node']) - min(p['timing']['start_s'] for p in r['per_node'])) for r in runs)"
	"all(close(r['mb_s'], r['bytes'] / r['seconds_durable'] / 1e6) and close(r['mb_s_copied'], r['bytes'] / r['seconds_copied'] / 1e6) for r in runs)"
	"all(r['node_spread']['min_mb_s'] == min(p['mb_s'] for p in r['per_node']) for r in runs)"
	"all(r['cold']['residency_pct'] == max(p['cold']['residency_pct'] for p in r['per_node']) for r in runs)"
)

note "2 ranks, --nodes 1,2: the whole set on every node"
out=$ccb_tmp/two
rc=0
mpi 2 "$CCB" sweep $sweep_opts --nodes 1,2 --allow-shared-host --seed 5 --out "$out" \
	"$src" "$dst" >"$ccb_tmp/two.out" 2>"$ccb_tmp/two.err" || rc=$?
[ "$rc" = 0 ] || { cat "$ccb_tmp/two.err" >&2; fail "the 2-rank sweep exited $rc"; }
expect_json "$out/results.json" "${across_checks[@]}" \
	"d['cluster']['world_size'] == 2 and d['cluster']['node_files'] == 'shared' and d['cluster']['max_nodes'] == 2" \
	"len(counted) == 8 and sorted(set(r['nodes'] for r in counted)) == [1, 2]" \
	"all(r['bytes'] == r['nodes'] * $setbytes and all(p['bytes'] == $setbytes for p in r['per_node']) for r in runs)" \
	"sorted((c['threads'], c['nodes']) for c in d['cells']) == [(1, 1), (1, 2), (2, 1), (2, 2)]" \
	"[r['nodes'] for r in d['recommendations']] == [1, 2] and d['recommendation']['nodes'] == 2" \
	"all(r['threads'] in (1, 2) for r in d['recommendations'])" \
	"sorted(c['threads'] for c in d['scaling']) == [1, 2] and all([p['nodes'] for p in c['points']] == [1, 2] for c in d['scaling'])" \
	"all(c['points'][0]['efficiency'] == 1 for c in d['scaling'])"
two=$(json "$out/results.json" "[(r['nodes'], round(r['mb_s']), [round(p['mb_s']) for p in r['per_node']]) for r in d['runs']]")
note "2 ranks (nodes, MB/s together, MB/s each): $two"
grep -q 'across nodes: 2 ranks on 1 host' "$ccb_tmp/two.out" || fail "the table does not show the nodes"
grep -q '# by node count' "$ccb_tmp/two.out" || fail "no recommendation by node count"
grep -q 'with 2 nodes caching together: [12] threads\? each' "$ccb_tmp/two.out" ||
	fail "no recommendation for 2 nodes: $(tail -4 "$ccb_tmp/two.out")"
grep -q '^## Across nodes' "$out/report.md" || fail "report.md has no section across nodes"
grep -q 'allow-shared-host' "$out/report.md" || fail "report.md does not say the host was shared"
grep -q 'id="nodes"' "$out/report.html" && grep -q 'aria-label="scaling by node count"' "$out/report.html" ||
	fail "report.html has no scaling chart"
command -v xmllint >/dev/null && { xmllint --noout "$out/report.html" || fail "report.html is not well-formed"; }
# results.json alone renders again, elsewhere
expect_ok "$CCB" report --no-plots --out "$ccb_tmp/again" "$out/results.json"
grep -q 'allow-shared-host' "$ccb_tmp/again/report.html" || fail "the re-rendered report lost the note"
[ -z "$(ls -A "$dst")" ] || fail "scratch left in DST: $(ls -A "$dst")"
# compare does not tell node counts apart: it refuses rather than mix them
expect_fail 2 "was measured across nodes: compare does not compare runs across nodes yet" \
	"$CCB" compare "$out" "$out"

note "3 ranks, --node-files split: each node its share of the set"
out=$ccb_tmp/three
rc=0
mpi 3 "$CCB" sweep $sweep_opts --nodes 3 --node-files split --allow-shared-host --out "$out" \
	"$src" "$dst" >"$ccb_tmp/three.out" 2>"$ccb_tmp/three.err" || rc=$?
[ "$rc" = 0 ] || { cat "$ccb_tmp/three.err" >&2; fail "the 3-rank sweep exited $rc"; }
expect_json "$out/results.json" "${across_checks[@]}" \
	"d['cluster']['world_size'] == 3 and d['cluster']['node_files'] == 'split'" \
	"len(counted) == 4 and all(r['nodes'] == 3 and r['node_files'] == 'split' for r in runs)" \
	"all(r['bytes'] == $setbytes for r in runs)" \
	"all([p['share']['index'] for p in r['per_node']] == [0, 1, 2] and all(p['share']['of'] == 3 for p in r['per_node']) for r in runs)" \
	"all(p['files'] == p['share']['files'] and 0 < p['files'] < 12 for r in runs for p in r['per_node'])" \
	"all(sum(p['files'] for p in r['per_node']) == 12 for r in runs)"
three=$(json "$out/results.json" "[(r['nodes'], round(r['mb_s']), [round(p['mb_s']) for p in r['per_node']]) for r in d['runs']]")
note "3 ranks, split (nodes, MB/s together, MB/s each): $three"

note "run under mpirun: every run on all the ranks"
expect_ok mpi 2 "$CCB" run --strategy shutil --threads 2 --repeats 2 --allow-shared-host \
	--out "$ccb_tmp/run" "$src" "$dst"
expect_json "$ccb_tmp/run/results.json" "len(runs) == 2 and all(r['nodes'] == 2 and len(r['per_node']) == 2 for r in runs)" \
	"all(r['bytes'] == 2 * $setbytes and r['errors'] == [] for r in runs)"

note "several ranks on one host are refused without --allow-shared-host"
expect_fail 1 "2 ranks run on 1 host .* --allow-shared-host" \
	mpi 2 "$CCB" sweep $sweep_opts --out "$ccb_tmp/refused" "$src" "$dst"
[ ! -e "$ccb_tmp/refused/results.json" ] || fail "a refused sweep wrote results"
[ -z "$(ls -A "$dst")" ] || fail "a refused sweep left scratch in DST: $(ls -A "$dst")"
expect_fail 2 "invalid node count '3' in --nodes: expected whole numbers from 1 to 2" \
	mpi 2 "$CCB" sweep $sweep_opts --allow-shared-host --nodes 1,3 "$src" "$dst"

# A bigger set for the stops: runs of a second or so, so a signal finds a run under way.
rm -rf "$src"
expect_ok "$CCB" gen --stacks 24 --box 192 --particles 60 --seed 23 "$src"

# stop SIGNAL: a 2-rank sweep whose rank 1 gets SIGNAL after two runs are recorded.
stop() {
	local sig=$1 out=$ccb_tmp/stop-$1 rc=0 n=0 victim
	mpi 2 "$CCB" sweep --strategies shutil --threads 1,2 --repeats 20 --warmup 0 --min-run 0 \
		--confirm 0 --no-plots --interval 0 --allow-shared-host --out "$out" "$src" "$dst" \
		>"$ccb_tmp/$sig.out" 2>"$ccb_tmp/$sig.err" &
	pid=$!
	for _ in $(seq 600); do
		n=$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["runs"]))' \
			"$out/results.json" 2>/dev/null) || true
		[ "${n:-0}" -ge 2 ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$ccb_tmp/$sig.err" >&2; fail "the sweep ended early"; }
		sleep 0.2
	done
	[ "${n:-0}" -ge 2 ] || fail "no two runs within 120 s"
	victim=$(json "$out/results.json" "d['nodes'][1]['pid']")
	kill -"$sig" "$victim"
	wait "$pid" || rc=$?
	pid=
	[ "$rc" != 0 ] || fail "a sweep whose rank 1 got SIG$sig exited 0"
	expect_json "$out/results.json" "len(runs) >= 2" \
		"sum(1 for r in runs if r['errors'] == [] and not r['aborted'] and r['mb_s'] > 0) >= 2" \
		"all(r['errors'] == [] and not r['aborted'] for r in runs[:-1])"
	STOPPED=$out
}

ccb_kill_bench_on_exit
note "rank 1 stopped by SIGTERM mid-sweep"
stop TERM
expect_json "$STOPPED/results.json" "runs[-1]['errors'] and not runs[-1]['errors'] == []" \
	"any(e == \"node '%s' (rank 1) was stopped by SIGTERM\" % d['nodes'][1]['host'] for e in runs[-1]['errors'])" \
	"d.get('finished')"
grep -q "was stopped by SIGTERM" "$ccb_tmp/TERM.err" || fail "the stop was not said"
[ -z "$(ls -A "$dst")" ] || fail "scratch left in DST after SIGTERM: $(ls -A "$dst")"

note "rank 1 killed (SIGKILL) mid-sweep: mpirun ends every rank, the finished runs stay"
stop KILL
# rank 0 names the rank that sent nothing when it had the time to (mpirun's SIGTERM, then SIGKILL)
expect_json "$STOPPED/results.json" \
	"all('rank 1' in e for e in runs[-1]['errors'])"
"$CCB" clean "$dst" >/dev/null 2>&1 || true
echo "ok: across nodes"
