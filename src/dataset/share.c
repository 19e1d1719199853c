/* SPDX-License-Identifier: MIT */
/*
 * share.c - a listed set as a document and back, so rank 0 can hand it to the other nodes of a run
 * across nodes, and one node's share of it (--node-files split).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/dataset.h"
#include "dataset/dataset_int.h"
#include "lib/util.h"

json_t *dataset_to_json(const struct dataset *ds)
{
	json_t *files = json_array();

	for (size_t i = 0; i < ds->nr; i++)
		json_array_append_new(files, json_pack("[s, I, i]", ds->files[i].rel,
						       (json_int_t)ds->files[i].size,
						       (int)ds->files[i].flags));
	return json_pack("{s:s, s:s, s:I, s:o}", "root", ds->root, "kind",
			 dataset_kind_name(ds->kind), "bytes", (json_int_t)ds->bytes, "files", files);
}

int dataset_from_json(struct dataset *ds, json_t *o, char *why, size_t len)
{
	json_t *files = json_object_get(o, "files");
	const char *root = json_string_value(json_object_get(o, "root"));
	json_t *f;
	size_t i;

	memset(ds, 0, sizeof(*ds));
	if (!root || !json_is_array(files))
		return reject_why(why, len, "the set sent by rank 0 has no root or no files");
	ds->root = xstrdup(root);
	ds->files = xcalloc(json_array_size(files) ? json_array_size(files) : 1,
			    sizeof(*ds->files));
	json_array_foreach(files, i, f) {
		const char *rel = json_string_value(json_array_get(f, 0));
		json_t *size = json_array_get(f, 1);

		if (!rel || !*rel || rel[0] == '/' || !json_is_integer(size) ||
		    json_integer_value(size) < 0) {
			dataset_release(ds);
			return reject_why(why, len, "entry %zu of the set sent by rank 0 is not a "
					  "relative path and a size", i);
		}
		ds->files[ds->nr].rel = xstrdup(rel);
		ds->files[ds->nr].size = (uint64_t)json_integer_value(size);
		ds->files[ds->nr].flags = (unsigned)json_integer_value(json_array_get(f, 2));
		ds->bytes += ds->files[ds->nr].size;
		ds->nr++;
	}
	qsort(ds->files, ds->nr, sizeof(*ds->files), dataset_file_cmp);
	dataset_collect_dirs(ds);
	return 0;
}

/*
 * Indexes into the dataset ds's files, largest first; equal sizes by path, so every node deals
 * the same shares.
 */
static int cmp_size_desc(const void *a, const void *b, void *ds)
{
	const struct copy_file *files = ((const struct dataset *)ds)->files;
	const struct copy_file *fa = &files[*(const size_t *)a];
	const struct copy_file *fb = &files[*(const size_t *)b];

	if (fa->size != fb->size)
		return fa->size > fb->size ? -1 : 1;
	return strcmp(fa->rel, fb->rel);
}

void dataset_share(const struct dataset *ds, size_t k, size_t n, struct dataset *out)
{
	size_t *order = xmalloc((ds->nr ? ds->nr : 1) * sizeof(*order));
	uint64_t *load = xcalloc(n ? n : 1, sizeof(*load));

	memset(out, 0, sizeof(*out));
	out->root = xstrdup(ds->root);
	out->kind = ds->kind;
	out->meta = ds->meta ? xstrdup(ds->meta) : NULL;
	out->files = xcalloc(ds->nr ? ds->nr : 1, sizeof(*out->files));
	for (size_t i = 0; i < ds->nr; i++)
		order[i] = i;
	qsort_r(order, ds->nr, sizeof(*order), cmp_size_desc, (void *)ds);
	for (size_t i = 0; i < ds->nr; i++) {
		const struct copy_file *f = &ds->files[order[i]];
		size_t to = 0;

		for (size_t j = 1; j < n; j++)
			if (load[j] < load[to])
				to = j;
		load[to] += f->size;
		if (to != k)
			continue;
		out->files[out->nr] = *f;
		out->files[out->nr].rel = xstrdup(f->rel);
		out->bytes += f->size;
		out->nr++;
	}
	free(load);
	free(order);
	qsort(out->files, out->nr, sizeof(*out->files), dataset_file_cmp);
	dataset_collect_dirs(out);
}
