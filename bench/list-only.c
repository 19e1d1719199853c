/* SPDX-License-Identifier: MIT */
/*
 * bench/list-only.c - the listing alone, for bench/listing.sh: SRC (a folder, a RELION .star,
 * a CryoSPARC .cs or .csg) listed as `run` lists it, until it is ready to copy (sizes read, MRC
 * headers checked), and nothing else. Prints one line:
 *   files N bytes B list_s S wall_s W maxrss_kib K
 * list_s is the dataset's own clock (list_seconds), wall_s from main() to the end of listing,
 * maxrss_kib the peak resident memory (getrusage). Built, never installed.
 *
 *   bench/list-only [--check-all] [--all-files] [--print] SRC
 * --print: then every file ("SIZE PATH", in the order runs copy them) and every folder holding
 * files ("dir PATH"), to check a listing against `find`.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "dataset/dataset.h"
#include "lib/util.h"

int main(int argc, char **argv)
{
	const double t0 = now_mono();
	struct dataset_source s = { 0 };
	struct dataset ds;
	char why[DATASET_WHY_MAX];
	struct rusage ru;
	double wall;
	bool print = false;
	int i;

	for (i = 1; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--check-all"))
			s.flags |= DATASET_CHECK_ALL;
		else if (!strcmp(argv[i], "--all-files"))
			s.flags |= DATASET_ALL_FILES;
		else if (!strcmp(argv[i], "--print"))
			print = true;
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: %s [--check-all] [--all-files] [--print] SRC\n", argv[0]);
		return 2;
	}
	if (dataset_load(&ds, argv[i], &s, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", argv[0], why);
		return 1;
	}
	wall = now_mono() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("files %zu bytes %llu list_s %.4f wall_s %.4f maxrss_kib %ld\n", ds.nr,
	       (unsigned long long)ds.bytes, ds.list_seconds, wall, ru.ru_maxrss);
	for (size_t k = 0; print && k < ds.nr; k++)
		printf("%llu %s\n", (unsigned long long)ds.files[k].size, ds.files[k].rel);
	for (size_t k = 0; print && k < ds.nr_dirs; k++)
		printf("dir %s\n", ds.dirs[k]);
	dataset_release(&ds);
	return 0;
}
