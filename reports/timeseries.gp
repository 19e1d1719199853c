# timeseries.gp - what the disks and CPUs did during one run, per sampling interval: MB/s read
# and written (and received by the busiest interface) above, %util of the disks and the CPUs'
# busy and iowait shares below; writes OUT.svg and OUT.png. cryocache-bench runs it in the plots
# folder of a report:
#   gnuplot -e "data='run-3.dat'; out='run-3'; nmbs=2; npct=3; name='run 3: shutil, 4 threads'" timeseries.gp
# data: a line of quoted column names, then rows of t_s, nmbs MB/s columns, npct % columns
# ('?' where a reading is missing).

if (!exists("data")) data = 'run-1.dat'
if (!exists("out")) out = 'run-1'
if (!exists("nmbs")) nmbs = 1
if (!exists("npct")) npct = 1
if (!exists("name")) name = ''

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
	set yrange [0:*]
	set xlabel ''
	if (nmbs > 0) {
		plot for [c=2:nmbs+1] data using 1:c with lines title columnheader(c)
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
