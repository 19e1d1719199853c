# throughput.gp - throughput per thread count, one line per strategy, the median's confidence
# interval as error bars; writes OUT.svg and OUT.png. cryocache-bench runs it in the plots folder
# of a report:
#   gnuplot -e "data='throughput.dat'; out='throughput'; nseries=2; logx=1; ci=1; rec=4; def=2; ceiling=0; name='gpu07'" throughput.gp
# data holds one block per strategy, two blank lines apart: a line of names (the strategy first),
# then rows of threads, median MB/s, low and high end of the bar (the interval, or min and max
# when ci=0). rec, def and ceiling are 0 when unknown.

if (!exists("data")) data = 'throughput.dat'
if (!exists("out")) out = 'throughput'
if (!exists("nseries")) nseries = 1
if (!exists("logx")) logx = 0
if (!exists("ci")) ci = 1
if (!exists("rec")) rec = 0
if (!exists("def")) def = 0
if (!exists("ceiling")) ceiling = 0
if (!exists("name")) name = ''

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

set title sprintf("Throughput per thread count%s", name eq '' ? '' : ' on '.name) noenhanced
set xlabel (logx ? 'threads (log scale)' : 'threads')
set ylabel 'MB/s until durable (10^6 bytes/s)' noenhanced
set key top left noenhanced box opaque
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set yrange [0:*]
if (logx) { set logscale x 2; set offsets graph 0.06, graph 0.06, 0, 0 } \
else { set offsets graph 0.06, graph 0.06, 0, 0 }
set xtics 1
if (logx) set xtics 2

if (rec > 0) {
	set arrow 1 from rec, graph 0 to rec, graph 1 nohead dt 2 lw 1.5 lc rgb '#1a7f37' back
	set label 1 sprintf(' recommended: %d', rec) at rec, graph 0.97 left tc rgb '#1a7f37' noenhanced
}
if (def > 0) {
	set arrow 2 from def, graph 0 to def, graph 1 nohead dt 3 lw 1.5 lc rgb '#5b6474' back
	set label 2 sprintf('CryoSPARC default: %d ', def) at def, graph 0.90 right tc rgb '#5b6474' noenhanced
}
if (ceiling > 0) {
	set arrow 3 from graph 0, first ceiling to graph 1, first ceiling nohead dt 4 lw 1.5 lc rgb '#8b1a1a' back
	set label 3 sprintf('fio ceiling %.0f MB/s ', ceiling) at graph 1, first ceiling right offset 0, 0.7 tc rgb '#8b1a1a' noenhanced
}
bars = ci ? 'bars: confidence interval of the median' : 'bars: min to max'
set label 4 bars at graph 1, graph 1.03 right font ',9' tc rgb '#5b6474' noenhanced

set terminal svg size 960,520 dynamic font 'sans,12' background rgb 'white'
set output out.'.svg'
plot for [i=0:nseries-1] data index i using 1:2:3:4 with yerrorlines title columnheader(1)
set output

if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 960,520 font 'sans,10' background rgb 'white'
} else {
	set terminal png size 960,520 background rgb 'white'
}
set output out.'.png'
replot
set output
