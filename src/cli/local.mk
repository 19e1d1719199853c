# SPDX-License-Identifier: MIT
# src/cli/ - the subcommands and their list, their option tables, the command line, profiles, posting results
src_libccb_a_SOURCES += src/cli/cmd_clean.c src/cli/cmd_compare.c src/cli/cmd_diag.c \
	src/cli/cmd_fetch.c src/cli/cmd_fio.c src/cli/cmd_help.c src/cli/cmd_gen.c src/cli/cmd_report.c \
	src/cli/cmd_run.c src/cli/cmd_strategies.c src/cli/cmd_sweep.c src/cli/cmd_watch.c \
	src/cli/cmdline.c src/cli/cmdline.h src/cli/cmds.c src/cli/cmds.h src/cli/measure_opts.c \
	src/cli/measure_opts.h src/cli/options.c src/cli/options.h src/cli/post_results.c \
	src/cli/post_results.h src/cli/profile.c src/cli/profile.h src/cli/sweep_dry.c src/cli/sweep_dry.h
# across nodes: run and sweep under mpirun or srun, fio's client/server
src_libccb_a_SOURCES += src/cli/fio_clients.c src/cli/fio_clients.h src/cli/nodes_opts.c \
	src/cli/nodes_opts.h
