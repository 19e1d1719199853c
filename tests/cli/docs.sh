#!/bin/bash
# SPDX-License-Identifier: MIT
# docs.sh - the manual page and the bash completion are generated from the option tables: every
# command and option --help shows is in both, `help CMD` is `CMD --help`, and every command
# answers --version.
. "${CCB_SRCDIR:-$(dirname "$0")/../..}/tests/helpers/lib.sh" || exit 99

version=$("$CCB" --version)
commands=$("$CCB" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 && $1 != "commands:" {print $1}')
[ -n "$commands" ] || fail "--help lists no commands"
man=$ccb_tmp/cryocache-bench.1
"$CCB" help --man "$CCB_SRCDIR/docs/cryocache-bench.1.in" >"$man" || fail "help --man failed"
comp=$ccb_tmp/completion
"$CCB" help --bash-completion >"$comp" || fail "help --bash-completion failed"
bash -n "$comp" || fail "the completion script is not valid bash"
grep -q '@[A-Z]*@' "$man" && fail "a template marker is left in the manual page"

# The options --help prints for a command: the --long names.
help_options() {
	"$CCB" "$1" --help | sed -nE 's/^ +(-[a-zA-Z0-9], )?(--[a-z0-9][a-z0-9-]*).*/\2/p' | sort -u
}
# The options of a command's section of the manual page (from .SS "cmd ..." to the next .SS/.SH).
man_options() {
	awk -v c="$1" '/^\.S[SH] / { on = ($1 == ".SS" && ($2 == "\"" c || $2 == "\"" c "\"")) } on' "$man" |
		grep -E '^\.BI? "' | grep -oE '\\-\\-[a-z0-9][a-z0-9\\-]*' |
		sed 's/\\-/-/g' | sort -u
}
# What the completion offers after `cryocache-bench WORDS...` with the cursor on the last word.
complete_words() {
	bash -c '
		source "$1"; shift
		COMP_WORDS=(cryocache-bench "$@"); COMP_CWORD=$#
		_cryocache_bench
		printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@"
}

for c in $commands; do
	[ "$("$CCB" "$c" --version)" = "$version" ] || fail "'$c --version' does not print '$version'"
	[ "$("$CCB" help "$c")" = "$("$CCB" "$c" --help)" ] || fail "'help $c' differs from '$c --help'"
	grep -q "^\.SS \"$c[ \"]" "$man" || fail "the manual page has no section for '$c'"
	want=$(help_options "$c" | { grep -vx -- '--help' || true; })
	got=$(man_options "$c")
	missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$got"))
	[ -z "$missing" ] || fail "the manual page lacks options of '$c': $missing"
	extra=$(comm -13 <(printf '%s\n' "$want" --version | sort) <(printf '%s\n' "$got") | grep -v '^$' || true)
	[ -z "$extra" ] || fail "the manual page has options '$c --help' does not: $extra"
	offered=$(complete_words "$c" -- | sort -u)
	missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$offered"))
	[ -z "$missing" ] || fail "the completion does not offer options of '$c': $missing"
done
note "manual page and completion agree with --help for: $(echo $commands)"

# The headings --help groups a command's options under are the manual page's too, in order.
for c in $commands; do
	want=$("$CCB" "$c" --help | sed -n '/^options:$/,$p' | grep -E '^[A-Z][A-Za-z ]*:$' || true)
	got=$(awk -v c="$c" '/^\.S[SH] / { on = ($1 == ".SS" && ($2 == "\"" c || $2 == "\"" c "\"")) } on' "$man" |
		sed -nE 's/^\\fB([A-Z][A-Za-z ]*:)\\fR$/\1/p')
	[ "$want" = "$got" ] || fail "'$c': the manual page's headings differ from --help's: $got vs $want"
	[ "$c" = sweep ] && [ -n "$got" ] && note "sweep's headings: $(echo "$got" | tr '\n' ' ')"
done
"$CCB" sweep --help | grep -qx 'What to copy:' || fail "sweep --help has no headings to check"
# The sections a manual page has beyond the options, and the variables the tool reads.
for section in ENVIRONMENT "EXIT STATUS" FILES EXAMPLES; do
	grep -q "^\.SH \"\?$section\"\?\$" "$man" || fail "the manual page has no $section section"
done
for var in CCB_REPORTS_DIR CCB_GNUPLOT CCB_POST_HEADER; do
	awk '/^\.SH /{on = ($2 == "ENVIRONMENT")} on' "$man" | grep -q "$var" ||
		fail "the manual page's ENVIRONMENT does not name $var"
done
# A size's suffix is said where SIZE is taken: below --help's options and in the manual page.
for c in $commands; do
	"$CCB" "$c" --help | grep -q '^  .* SIZE ' || continue
	"$CCB" "$c" --help | grep -qF '(1.6T = 1.6 x 2^40 bytes), with B decimal (1.6TB = 1.6 x 10^12' ||
		fail "'$c --help' takes a SIZE and does not say what its suffixes mean"
done
grep -qF 'are binary (1.6T = 1.6 x 2^40 bytes)' "$man" || fail "the manual page does not say what a SIZE's suffixes mean"
# A heading is no option: none is offered as a bare "--" by the completion.
grep -E '^	[a-z]+\) opts="' "$comp" | grep -Eq -- ' --( |")' && fail "the completion offers an option without a name"
grep -Eq '^\.BI? "\\-\\-"' "$man" && fail "the manual page has an option without a name"

# The completion: commands, an option's prefix, strategy lists, choices, shipped profiles.
[ "$(complete_words sw)" = sweep ] || fail "'sw' does not complete to sweep: $(complete_words sw)"
complete_words help "" | grep -qx fetch || fail "'help' does not offer the commands"
complete_words sweep --repe | grep -qx -- --repeats || fail "'sweep --repe' does not complete to --repeats"
complete_words sweep --strategies shutil,r | grep -qx shutil,rw || fail "a strategy list's last element is not completed"
complete_words run --strategy "" | grep -qx shutil || fail "run --strategy does not offer strategies"
CCB_PROFILES_DIR=$CCB_SRCDIR/profiles complete_words sweep --profile cryo | grep -qx cryosparc-tune ||
	fail "--profile does not offer the shipped profiles by name"

# The manual page renders without warnings where groff is installed.
if command -v groff >/dev/null; then
	warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1) || true
	[ -z "$warnings" ] || fail "groff warns about the manual page: $warnings"
	note "groff renders the manual page without warnings"
fi
echo "ok: the manual page and the completion come from the option tables ($version)"
