/* dataset_int.h - what the folder walk and the metadata-named sets share inside dataset/. */
#ifndef CCB_DATASET_INT_H
#define CCB_DATASET_INT_H

struct copy_file;
struct dataset;

/* qsort() order of struct copy_file: by relative path, the order every run copies in. */
int dataset_file_cmp(const void *a, const void *b);
/* Fill ds->dirs with the distinct parent folders of ds->files (sorted by path). */
void dataset_collect_dirs(struct dataset *ds);
/*
 * Check a stack's MRC header and its size (1024 + NSYMBT + data) at path, flagging f and
 * counting in ds: a truncated or wrong-mode stack is still copied, as CryoSPARC would.
 */
void dataset_check_stack(struct dataset *ds, struct copy_file *f, const char *path);

#endif
