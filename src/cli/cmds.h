/* cmds.h - the subcommands main() dispatches to; each returns the process exit status. */
#ifndef CCB_CMDS_H
#define CCB_CMDS_H

int cmd_gen(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_strategies(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diag(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_fio(int argc, char **argv);
int cmd_fetch(int argc, char **argv);

#endif
