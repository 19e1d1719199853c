/* SPDX-License-Identifier: MIT */
/*
 * sections.c - the sections report.md and report.html print alike: which rows, values and
 * notes, in which order, written once; the markup (render.h) makes them Markdown or HTML.
 */
#include "config.h"

#include <stdio.h>

#include "analysis/cells.h"
#include "lib/json_get.h"
#include "report/render.h"

void report_interpreter(FILE *f, const struct report_markup *m, json_t *cells)
{
	static const struct report_col cols[] = {
		{ "threads", REPORT_NUM },
		{ "jobs", REPORT_NUM },
		{ CELLS_EMULATION " MB/s", REPORT_NUM },
		{ CELLS_INTERPRETER " MB/s", REPORT_NUM },
		{ CELLS_EMULATION " / " CELLS_INTERPRETER, REPORT_NUM },
		{ "bounds", REPORT_RANGE },
	};
	json_t *ratios = cells_ratios(cells, CELLS_EMULATION, CELLS_INTERPRETER);
	json_t *r;
	size_t i;

	if (!json_array_size(ratios)) {
		json_decref(ratios);
		return;
	}
	report_section(f, m, "interpreter", "Emulation against the real interpreter");
	report_table(f, m, true, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(ratios, i, r) {
		report_row(f, m, NULL);
		report_td(f, m, REPORT_NUM);
		fprintf(f, "%lld", json_get_int(r, "threads"));
		report_td_end(f, m);
		report_td(f, m, REPORT_NUM);
		fprintf(f, "%lld", json_get_int(r, "jobs"));
		report_td_end(f, m);
		report_td_num(f, m, r, "numerator_mb_s", 1);
		report_td_num(f, m, r, "denominator_mb_s", 1);
		report_td(f, m, REPORT_NUM);
		fprintf(f, "%s%.2fx%s", m->fig_open, json_get_num(r, "ratio"), m->fig_close);
		report_td_end(f, m);
		report_td(f, m, REPORT_RANGE);
		if (json_get_has_num(r, "ratio_low") && json_get_has_num(r, "ratio_high"))
			fprintf(f, "%.2f–%.2f", json_get_num(r, "ratio_low"),
				json_get_num(r, "ratio_high"));
		else
			fputs(m->missing, f);
		report_td_end(f, m);
		report_row_end(f, m);
	}
	report_table_end(f, m, true);
	report_note(f, m, true);
	m->put(f, report_interpreter_note);
	report_note_end(f, m);
	report_section_end(f, m);
}
