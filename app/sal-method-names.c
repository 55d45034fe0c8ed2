/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sal-method-names.h"

#include <glib/gi18n.h>

static const struct {
  const char *id;
  const char *name;
} names[] = {
  { "prediction", N_("Prediction") },
  { "gradient", N_("Gradient") },
  { "gradient-x-input", N_("Gradient × Input") },
  { "smoothgrad", N_("SmoothGrad") },
  { "integrated-gradients", N_("Integrated Gradients") },
  { "grad-cam", N_("Grad-CAM") },
  { "grad-cam-pp", N_("Grad-CAM++") },
  { "occlusion", N_("Occlusion") },
  { "rise", N_("RISE") },
  { "token-occlusion", N_("Token occlusion") },
  { "attention", N_("Attention weights") },
  { "shapley", N_("Exact Shapley values") },
  { "kernel-shap", N_("KernelSHAP") },
  { "permutation", N_("Permutation importance") },
};

const char *
sal_method_display_name (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (id, names[i].id) == 0)
      return _(names[i].name);
  return id != NULL ? id : "";
}
