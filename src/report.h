/* report.h - renderings of results.json for people. Reads only the document, never the system. */
#ifndef CCB_REPORT_H
#define CCB_REPORT_H

#include <stdio.h>
#include <jansson.h>

/*
 * A table of the runs, the median and spread per (strategy, threads) cell, and every warning,
 * from the fields of results.json alone.
 */
void report_text(json_t *doc, FILE *f);

#endif
