# SPDX-License-Identifier: MIT
# throughput.gp - throughput per thread count, one line per strategy, the median's confidence
# interval as error bars; writes OUT.svg and OUT.png. cryocache-bench runs it in the plots folder
# of a report:
#   gnuplot -e "data='throughput.dat'; out='throughput'; nseries=2; logx=1; ci=1; rec=4; def=2; ceiling=0; name='gpu07'; tics='1 2 4 8'" throughput.gp
# data holds one block per strategy, two blank lines apart: a line of names (the strategy first),
# then rows of threads, where the strategy is drawn (beside the others, as report.html dodges
# them), median MB/s, low and high end of the bar (the interval, or min and max when ci=0). rec,
# def and ceiling are 0 when unknown; tics are the thread counts measured, each a tick. The x
# axis is log2 exactly when logx is 1, and its label then says so.

if (!exists("data")) data = 'throughput.dat'
if (!exists("out")) out = 'throughput'
if (!exists("nseries")) nseries = 1
if (!exists("logx")) logx = 0
if (!exists("ci")) ci = 1
if (!exists("rec")) rec = 0
if (!exists("def")) def = 0
if (!exists("ceiling")) ceiling = 0
if (!exists("name")) name = ''
if (!exists("tics")) tics = ''

set datafile missing '?'
set encoding utf8
# The colours of report.html (Okabe and Ito's palette, safe for colour-blind readers).
set linetype 1 lc rgb '#0072B2' lw 2 pt 7 ps 1.1
set linetype 2 lc rgb '#D55E00' lw 2 pt 5 ps 1.0
set linetype 3 lc rgb '#009E73' lw 2 pt 9 ps 1.2
set linetype 4 lc rgb '#CC79A7' lw 2 pt 11 ps 1.2
set linetype 5 lc rgb '#E69F00' lw 2 pt 13 ps 1.2
set linetype 6 lc rgb '#56B4E9' lw 2 pt 7 ps 1.1
set linetype 7 lc rgb '#000000' lw 2 pt 5 ps 1.0
set linetype 8 lc rgb '#999999' lw 2 pt 9 ps 1.2
set linetype cycle 8

# Above the plot, top down: the title, the legend in one row, then the default's and the
# recommendation's labels over their lines; the fio ceiling's label in the right margin. Nothing
# is written inside the plot, where the points are.
set label 5 sprintf("Throughput per thread count%s", name eq '' ? '' : ' on '.name) at screen 0.5, screen 0.965 center font ',13' noenhanced
set key at screen 0.5, screen 0.905 center center horizontal noenhanced samplen 2.5 spacing 1
set tmargin at screen 0.83
set bmargin at screen 0.13
set lmargin at screen 0.09
set rmargin at screen (ceiling > 0 ? 0.86 : 0.97)
set xlabel (logx ? 'threads (log scale)' : 'threads')
set ylabel 'MB/s until durable (10^6 bytes/s)' noenhanced
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set yrange [0:*]
set offsets graph 0.06, graph 0.06, 0, 0
if (logx) { set logscale x 2 } else { unset logscale x }
set xtics ()
if (tics ne '') { do for [t in tics] { set xtics add (t t+0) } } else { set xtics autofreq }

if (rec > 0) {
	set arrow 1 from rec, graph 0 to rec, graph 1 nohead dt 2 lw 1.5 lc rgb '#1a7f37' back
	set label 1 sprintf('recommended: %d', rec) at rec, graph 1 left offset 0.3, 0.8 tc rgb '#1a7f37' noenhanced
}
if (def > 0) {
	set arrow 2 from def, graph 0 to def, graph 1 nohead dt 3 lw 1.5 lc rgb '#5b6474' back
	set label 2 sprintf('CryoSPARC default: %d', def) at def, graph 1 right offset -0.3, 0.8 tc rgb '#5b6474' noenhanced
}
if (ceiling > 0) {
	set arrow 3 from graph 0, first ceiling to graph 1, first ceiling nohead dt 4 lw 1.5 lc rgb '#8b1a1a' back
	set label 3 sprintf("fio ceiling\n%.0f MB/s", ceiling) at graph 1, first ceiling left offset 0.8, 0.5 tc rgb '#8b1a1a' noenhanced
}
bars = ci ? 'bars: confidence interval of the median' : 'bars: min to max'
set label 4 bars at screen 0.99, screen 0.02 right font ',9' tc rgb '#5b6474' noenhanced

set terminal svg size 960,540 dynamic font 'sans,12' background rgb 'white'
set output out.'.svg'
plot for [i=0:nseries-1] data index i using 2:3:4:5 with yerrorlines title columnheader(1)
set output

if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 960,540 font 'sans,10' background rgb 'white'
} else {
	set terminal png size 960,540 background rgb 'white'
}
set output out.'.png'
replot
set output
