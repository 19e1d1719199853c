/* SPDX-License-Identifier: MIT */
/*
 * shutil.c - the strategies that copy as CryoSPARC does, through CPython's shutil.copyfile()
 * (cpython_shutil.c): shutil for CPython 3.8-3.13, shutil314 for 3.14.
 */
#include "config.h"

#include "copy/cpython_shutil.h"
#include "copy/strategy.h"

static int shutil38_thread_init(struct copy_worker *w)
{
	return shutil_thread_init(w, SHUTIL_PY38);
}

static int shutil314_thread_init(struct copy_worker *w)
{
	return shutil_thread_init(w, SHUTIL_PY314);
}

static int shutil38_copy(struct copy_worker *w, const struct copy_file *f)
{
	return shutil_copyfile(w, SHUTIL_PY38);
}

static int shutil314_copy(struct copy_worker *w, const struct copy_file *f)
{
	return shutil_copyfile(w, SHUTIL_PY314);
}

const struct copy_strategy strategy_shutil = {
	.name = "shutil",
	.summary = "shutil.copyfile of CPython 3.8-3.13 (what CryoSPARC runs): sendfile, "
		   "else 64 KiB read/write as 3.8-3.12 buffer it",
	.thread_init = shutil38_thread_init,
	.copy = shutil38_copy,
	.thread_exit = shutil_thread_exit,
};

const struct copy_strategy strategy_shutil314 = {
	.name = "shutil314",
	.summary = "shutil.copyfile of CPython 3.14 (built from the 3.14 source): copy_file_range, "
		   "else sendfile, else 256 KiB read/write",
	.thread_init = shutil314_thread_init,
	.copy = shutil314_copy,
	.thread_exit = shutil_thread_exit,
};
