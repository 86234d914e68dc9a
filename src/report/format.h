/* Formatting helpers shared by every renderer. */
#ifndef TWTUNE_FORMAT_H
#define TWTUNE_FORMAT_H

#include <stddef.h>

#include "common/addr.h"
/* Round to 4 decimal places, so ratios read well in JSON. */
double round4(double v);

#endif
