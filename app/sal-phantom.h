/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAL_PHANTOM_SIZE 128
#define SAL_PHANTOM_MAX_LESIONS 3

typedef struct {
  double cx, cy;       /* centre, pixels */
  double radius;       /* pixels, 2..10 */
  double contrast;     /* fraction of the surrounding tissue's intensity, 0.10..0.40 */
  int    sign;         /* +1 brighter than the tissue, -1 darker */
} SalLesion;

/* A brain-MRI-like slice with its ground truth. Deterministic from the seed. */
typedef struct {
  guint32   seed;
  int       width, height;     /* SAL_PHANTOM_SIZE */
  guint16  *pixels;            /* 16-bit intensities, row-major */
  guint8   *lesion_mask;       /* 1 inside a lesion */
  guint8   *brain_mask;        /* 1 inside the brain (grey + white matter, CSF spaces) */
  int       n_lesions;         /* 0 for a healthy slice */
  SalLesion lesions[SAL_PHANTOM_MAX_LESIONS];
} SalPhantom;

typedef enum {
  SAL_PHANTOM_RANDOM,          /* half with lesions, chosen by the seed */
  SAL_PHANTOM_WITH_LESION,
  SAL_PHANTOM_HEALTHY,
} SalPhantomKind;

SalPhantom *sal_phantom_generate (guint32 seed, SalPhantomKind kind);
void        sal_phantom_free     (SalPhantom *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalPhantom, sal_phantom_free)

G_END_DECLS
