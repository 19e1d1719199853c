/*
 * diag_int.h - what diag's pieces (reading, findings, printing) share. Not for use outside
 * src/sys/diag*.c.
 */
#ifndef CCB_DIAG_INT_H
#define CCB_DIAG_INT_H

#include <stddef.h>

struct diag;
struct diag_blockdev;

/* snprintf that cuts to fit on purpose: sysfs names and values are short, buffers are ample. */
void diag_strf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The block device name diag_read found, or NULL. */
const struct diag_blockdev *diag_find_dev(const struct diag *d, const char *name);

/* A link speed as people write it: "25 Gb/s", "100 Mb/s", "unknown speed". */
void diag_speed_text(long mbps, char *buf, size_t len);

#endif
