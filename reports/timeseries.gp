# SPDX-License-Identifier: MIT
# timeseries.gp - what the disks and CPUs did during one run, per sampling interval: MB/s read
# and written (and received by the busiest interface) above, %util of the disks and the CPUs'
# busy and iowait shares below; writes OUT.svg and OUT.png. cryocache-bench runs it in the plots
# folder of a report:
#   gnuplot -e "data='run-3.dat'; out='run-3'; nmbs=2; npct=3; ymax=4000; tcopied=2.4; name='run 3: shutil, 4 threads'" timeseries.gp
# data: a line of quoted column names, then rows of t_s, nmbs MB/s columns, npct % columns
# ('?' where a reading is missing). ymax: the top of the MB/s axis, the same for every run of a
# report so their plots compare at a glance (0: this run's own). tcopied: when the last file
# closed and syncfs began, on the same clock as t_s (-1: unknown); a dashed line marks it.

if (!exists("data")) data = 'run-1.dat'
if (!exists("out")) out = 'run-1'
if (!exists("nmbs")) nmbs = 1
if (!exists("npct")) npct = 1
if (!exists("name")) name = ''
if (!exists("ymax")) ymax = 0
if (!exists("tcopied")) tcopied = -1

set datafile missing '?'
set encoding utf8
set linetype 1 lc rgb '#0072B2' lw 1.8
set linetype 2 lc rgb '#D55E00' lw 1.8
set linetype 3 lc rgb '#009E73' lw 1.8
set linetype 4 lc rgb '#CC79A7' lw 1.8
set linetype 5 lc rgb '#E69F00' lw 1.8
set linetype 6 lc rgb '#56B4E9' lw 1.8
set linetype 7 lc rgb '#000000' lw 1.8
set linetype 8 lc rgb '#999999' lw 1.8
set linetype cycle 8
set key outside right top noenhanced
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set lmargin 10
set rmargin 24
set xrange [0:*]
if (tcopied >= 0) {
	set arrow 1 from tcopied, graph 0 to tcopied, graph 1 nohead dt 2 lw 1.2 lc rgb '#3b4350' front
}

do for [fmt in 'svg png'] {
	if (fmt eq 'svg') {
		set terminal svg size 900,520 dynamic font 'sans,11' background rgb 'white'
	} else {
		if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
			set terminal pngcairo size 900,520 font 'sans,9' background rgb 'white'
		} else {
			set terminal png size 900,520 background rgb 'white'
		}
	}
	set output out.'.'.fmt
	set multiplot layout 2,1 title name noenhanced
	set ylabel 'MB/s' noenhanced
	if (ymax > 0) { set yrange [0:ymax] } else { set yrange [0:*] }
	set xlabel ''
	if (nmbs > 0) {
		# the dashed line's entry in the legend: it is not drawn over the lines
		plot for [c=2:nmbs+1] data using 1:c with lines title columnheader(c), \
			(tcopied >= 0 ? NaN : 1/0) with lines dt 2 lw 1.2 lc rgb '#3b4350' title (tcopied >= 0 ? 'copied, then syncfs' : '')
	} else {
		unset key; plot NaN notitle; set key
	}
	set ylabel '% busy' noenhanced
	set yrange [0:100<*]
	set xlabel 'seconds since the first reading'
	if (npct > 0) {
		plot for [c=nmbs+2:nmbs+npct+1] data using 1:c with lines title columnheader(c)
	} else {
		unset key; plot NaN notitle; set key
	}
	unset multiplot
	set output
}
