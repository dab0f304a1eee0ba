/* Shared between the POSIX port's files; not part of the port API. */
#ifndef PROPLET_PORT_POSIX_INTERNAL_H
#define PROPLET_PORT_POSIX_INTERNAL_H

#include <stdbool.h>

/* True (once) when port_wake() was called since the last take. */
bool port_posix_take_wake(void);

#endif
