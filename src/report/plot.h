/* SPDX-License-Identifier: MIT */
/*
 * plot.h - gnuplot images of a results folder: writes the data files, then runs gnuplot with the
 * scripts installed with the program (reports/throughput.gp, reports/timeseries.gp).
 *
 * The scripts are found by datadir_find(): in $CCB_REPORTS_DIR, beside the binary (reports/ of a
 * build tree), or in PKGDATADIR "/reports" where they are installed. gnuplot is looked up on PATH,
 * or named by $CCB_GNUPLOT. Without gnuplot nothing fails: the plot_set says why there are no
 * images, and the reports print that and how to get them.
 */
#ifndef CCB_PLOT_H
#define CCB_PLOT_H

#include <stddef.h>
#include <stdbool.h>

#include <jansson.h>

#define PLOT_DIR "plots"	/* below the report's folder */
#define PLOT_HOWTO                                                                                 \
	"install gnuplot (apt-get install gnuplot-nox) and run 'cryocache-bench report "           \
	"results.json' again"

/* How to get the plots when something other than a missing gnuplot stopped them. */
#define PLOT_HOWTO_AGAIN "fix that and run 'cryocache-bench report results.json' again"

struct plot_set {
	char *skipped; /* NULL when gnuplot ran; else why there are no (or not all) images */
	bool no_gnuplot; /* skipped because there is no gnuplot to run */
	char **files;  /* images made, relative to the report's folder: "plots/throughput.svg" */
	size_t nr_files;
};

void plot_set_init(struct plot_set *ps);
void plot_set_release(struct plot_set *ps);
/* Record that plots were not made, and why (a copy of why). */
void plot_set_skip(struct plot_set *ps, const char *why);
/* What to do to get the plots ps skipped: PLOT_HOWTO without gnuplot, else PLOT_HOWTO_AGAIN. */
const char *plot_howto(const struct plot_set *ps);

/*
 * Make dir/plots/throughput.{svg,png} from cells (the array report_cells() gives), and
 * dir/plots/run-<seq>.{svg,png} for every run of doc that has a series in samples (see
 * report_load_samples). The .dat files gnuplot reads stay beside the images, so a plot can be
 * restyled by hand. Returns 0 when every image was made; otherwise -errno (-ENOENT: no gnuplot or
 * no scripts) with the reason in ps->skipped. Images made before a failure are still listed.
 */
int plot_write(json_t *doc, json_t *cells, json_t *samples, const char *dir, struct plot_set *ps);

#endif
