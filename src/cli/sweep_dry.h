/* SPDX-License-Identifier: MIT */
/*
 * sweep_dry.h - `sweep --dry-run`: the plan (or what a resumed sweep has left), the runs it
 * takes, the confirmation's at most, and the estimate, nothing measured.
 */
#ifndef CCB_SWEEP_DRY_H
#define CCB_SWEEP_DRY_H

#include <stdbool.h>

#include "analysis/confirm.h"
#include "bench/sweep.h"
#include "cli/measure_opts.h"

/*
 * Print sw's dry run as m asks (text or JSON): its plan and the estimate, with the paired
 * confirmation of p at its most (p->pairs_max pairs when above p->pairs); reference: --reference
 * (fio's ceiling first, not estimated). Returns 0 or sweep_estimate()'s status.
 */
int sweep_dry_run(struct sweep *sw, const struct measure_opts *m, bool reference,
		  const struct confirm_params *p);

#endif
