/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-datasets"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sal-datasets.h"

/* The data source registry: add a line per source. */
static const SalDatasetSource sources[] = {
  { "athletes", N_("Simulated athletes: daily load, wellness and next-day readiness"),
    sal_dataset_load_athletes },
  { "wdbc", N_("Wisconsin Diagnostic Breast Cancer (569 × 30, BSD-3-Clause)"),
    sal_dataset_load_wdbc },
};

const SalDatasetSource *
sal_dataset_sources (guint *n_sources)
{
  *n_sources = G_N_ELEMENTS (sources);
  return sources;
}

SalDataset *
sal_dataset_load (const char *source, GKeyFile *recipe, const char *group, const char *data_dir,
                  GError **error)
{
  g_autoptr(GString) known = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      if (strcmp (sources[i].id, source) == 0)
        return sources[i].load (recipe, group, data_dir, error);
      g_string_append_printf (known, "%s%s", i ? ", " : "", sources[i].id);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("unknown data source “%s” (known: %s)"), source, known->str);
  return NULL;
}

static void
feature_free (gpointer p)
{
  SalFeature *f = p;

  g_free (f->name);
  g_free (f->unit);
  g_free (f->group);
  g_free (f);
}

SalDataset *
sal_dataset_new (const char *source, const char *task, const char *input_kind)
{
  SalDataset *d = g_new0 (SalDataset, 1);

  d->source = g_strdup (source);
  d->task = g_strdup (task);
  d->input_kind = g_strdup (input_kind);
  d->features = g_ptr_array_new_with_free_func (feature_free);
  return d;
}

void
sal_dataset_free (SalDataset *d)
{
  if (d == NULL)
    return;
  g_free (d->source);
  g_free (d->task);
  g_free (d->input_kind);
  g_strfreev (d->labels);
  g_ptr_array_unref (d->features);
  g_clear_pointer (&d->x, sal_tensor_free);
  g_clear_pointer (&d->y, sal_tensor_free);
  g_free (d->split);
  g_strfreev (d->split_names);
  g_free (d->group_of_row);
  g_free (d->description);
  g_free (d->licence);
  g_free (d->params_json);
  g_free (d);
}

int64_t
sal_dataset_n_rows (const SalDataset *d)
{
  return d->x != NULL ? d->x->dims[0] : 0;
}

int
sal_dataset_n_classes (const SalDataset *d)
{
  return strcmp (d->task, "classification") == 0 ? (int) g_strv_length (d->labels) : 0;
}

void
sal_dataset_add_feature (SalDataset *d, const char *name, const char *unit, const char *group)
{
  SalFeature *f = g_new0 (SalFeature, 1);

  f->name = g_strdup (name);
  f->unit = g_strdup (unit);
  f->group = g_strdup (group);
  g_ptr_array_add (d->features, f);
}

static double
round_to_float_digits (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, "%.7g", v), NULL);
}

void
sal_dataset_compute_ranges (SalDataset *d)
{
  int64_t n = sal_dataset_n_rows (d), nf;
  const float *x;

  if (d->x == NULL || d->x->rank != 2 || d->x->dtype != SAL_DTYPE_FLOAT)
    return;
  nf = d->x->dims[1];
  x = sal_tensor_f32 (d->x);
  for (int64_t j = 0; j < nf && j < (int64_t) d->features->len; j++)
    {
      SalFeature *f = g_ptr_array_index (d->features, j);

      f->min = INFINITY;
      f->max = -INFINITY;
      for (int64_t i = 0; i < n; i++)
        {
          f->min = MIN (f->min, x[i * nf + j]);
          f->max = MAX (f->max, x[i * nf + j]);
        }
      /* float32 values as the short decimals they were written as (6.981, not 6.98099994…) */
      f->min = round_to_float_digits (f->min);
      f->max = round_to_float_digits (f->max);
    }
}

/* ------------------------------------------------------------------ WDBC */

/* The unit of each of the ten measurements (data/datasets/README.md). */
static const char *
wdbc_unit (const char *measurement)
{
  if (strcmp (measurement, "radius") == 0 || strcmp (measurement, "perimeter") == 0)
    return "px";
  if (strcmp (measurement, "area") == 0)
    return "px²";
  if (strcmp (measurement, "texture") == 0)
    return "grey level";
  return "1";
}

SalDataset *
sal_dataset_load_wdbc (GKeyFile *recipe, const char *group, const char *data_dir, GError **error)
{
  g_autofree char *rel = g_key_file_get_string (recipe, group, "file", NULL);
  g_autofree char *path = NULL, *text = NULL;
  g_auto(GStrv) lines = NULL, header = NULL;
  g_autoptr(SalDataset) d = NULL;
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (int64_t));
  int nf = 0;

  path = g_build_filename (data_dir, rel != NULL ? rel : "datasets/wdbc.csv", NULL);
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;

  d = sal_dataset_new ("wdbc", "classification", "measurements");
  d->labels = g_strdupv ((char *[]) { "benign", "malignant", NULL });
  lines = g_strsplit (text, "\n", -1);
  for (guint li = 0; lines[li] != NULL; li++)
    {
      g_auto(GStrv) cells = NULL;
      char *line = g_strstrip (lines[li]);

      if (line[0] == '\0' || line[0] == '#')
        continue;
      cells = g_strsplit (line, ",", -1);
      if (header == NULL)
        {
          header = g_steal_pointer (&cells);
          nf = (int) g_strv_length (header) - 1;
          if (nf < 1 || strcmp (header[nf], "diagnosis") != 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("%s: the header must end with a “diagnosis” column"), path);
              return NULL;
            }
          for (int j = 0; j < nf; j++)
            {
              const char *us = strrchr (header[j], '_');
              g_autofree char *meas = us ? g_strndup (header[j], us - header[j]) : g_strdup (header[j]);

              sal_dataset_add_feature (d, header[j], wdbc_unit (meas), meas);
            }
          continue;
        }
      if ((int) g_strv_length (cells) != nf + 1)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s line %u: expected %d values and a diagnosis"), path, li + 1, nf);
          return NULL;
        }
      for (int j = 0; j < nf; j++)
        {
          char *end;
          float v = (float) g_ascii_strtod (cells[j], &end);

          if (end == cells[j] || *end != '\0' || !isfinite (v))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("%s line %u: “%s” is not a number"), path, li + 1, cells[j]);
              return NULL;
            }
          g_array_append_val (xs, v);
        }
      {
        int64_t label;

        if (strcmp (cells[nf], "malignant") == 0)
          label = 1;
        else if (strcmp (cells[nf], "benign") == 0)
          label = 0;
        else
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("%s line %u: diagnosis “%s” is neither benign nor malignant"),
                         path, li + 1, cells[nf]);
            return NULL;
          }
        g_array_append_val (ys, label);
      }
    }
  if (ys->len < 10)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s holds too few rows"), path);
      return NULL;
    }

  d->x = sal_tensor_new_f32 (2, (int64_t[]) { ys->len, nf });
  memcpy (d->x->data, xs->data, sizeof (float) * xs->len);
  d->y = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { ys->len }, NULL);
  memcpy (d->y->data, ys->data, sizeof (int64_t) * ys->len);
  d->split = g_new0 (int, ys->len);
  d->split_names = g_strdupv ((char *[]) { "train", NULL });
  d->description = g_strdup ("Wisconsin Diagnostic Breast Cancer (W.H. Wolberg, W.N. Street, "
                             "O.L. Mangasarian, University of Wisconsin, 1995), 569 fine-needle "
                             "aspirates x 30 nuclear measurements, 212 malignant / 357 benign; "
                             "copy from scikit-learn (data/datasets/wdbc.csv).");
  d->licence = g_strdup ("BSD-3-Clause (scikit-learn)");
  d->params_json = g_strdup_printf ("{\"file\": \"%s\"}", rel != NULL ? rel : "datasets/wdbc.csv");
  sal_dataset_compute_ranges (d);
  return g_steal_pointer (&d);
}

/* ------------------------------------------------------------- data folder */

const char *
sal_data_dir (void)
{
  static char *dir;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("SALIENT_DATA_DIR");
      g_autofree char *installed = g_build_filename (PKGDATADIR, "models", NULL);
      char *found;

      if (env != NULL && env[0] != '\0')
        found = g_strdup (env);
      else if (g_file_test (installed, G_FILE_TEST_IS_DIR))
        found = g_strdup (PKGDATADIR);
      else
        found = g_strdup (SOURCE_DATADIR);
      dir = found;
      g_once_init_leave (&once, 1);
    }
  return dir;
}

char *
sal_shipped_models_dir (void)
{
  return g_build_filename (sal_data_dir (), "models", NULL);
}
