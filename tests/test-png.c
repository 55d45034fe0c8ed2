/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PNG reader against fixtures written by tools/make-png-fixtures.py (an
 * encoder independent of libpng, with pixel values given by formulas). */

#include "config.h"

#include <string.h>

#include "sal-image.h"
#include "sal-test-util.h"

#define W 13
#define H 7

static char *
fixture (const char *dir, const char *name)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests", "fixtures", dir, name, NULL);
}

static guint
raw (int x, int y, int c, int depth)
{
  if (depth == 16)
    return (guint) ((x * 7919 + y * 104729 + c * 31337) % 65536);
  return (guint) ((x * 7 + y * 13 + c * 29) % (1 << depth));
}

static SalImage *
load_ok (const char *name)
{
  g_autofree char *path = fixture ("import/png", name);
  g_autoptr(GError) error = NULL;
  SalImage *img = sal_image_load_png (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (img);
  g_assert_cmpint (img->width, ==, W);
  g_assert_cmpint (img->height, ==, H);
  return img;
}

static guint
px (const SalImage *img, int x, int y, int c)
{
  return img->pixels[((gsize) y * img->width + x) * img->channels + c];
}

/* Plain grey/RGB(A) at every depth; depths below 8 scale to 0..255. */
static void
check_direct (const char *name, int channels, int depth)
{
  g_autoptr(SalImage) img = load_ok (name);
  int out_depth = depth < 8 ? 8 : depth;
  guint scale = depth < 8 ? 255 / ((1u << depth) - 1) : 1;

  g_assert_cmpint (img->channels, ==, channels);
  g_assert_cmpint (img->bit_depth, ==, out_depth);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < channels; c++)
        g_assert_cmpuint (px (img, x, y, c), ==, raw (x, y, c, depth) * scale);
}

static void
test_grey (void)
{
  check_direct ("grey1.png", 1, 1);
  check_direct ("grey2.png", 1, 2);
  check_direct ("grey4.png", 1, 4);
  check_direct ("grey8.png", 1, 8);
  check_direct ("grey16.png", 1, 16);
  check_direct ("greyalpha8.png", 2, 8);
  check_direct ("greyalpha16.png", 2, 16);
}

static void
test_rgb (void)
{
  check_direct ("rgb8.png", 3, 8);
  check_direct ("rgb16.png", 3, 16);
  check_direct ("rgba8.png", 4, 8);
  check_direct ("rgba16.png", 4, 16);
}

static void
test_interlaced (void)
{
  check_direct ("rgb8-interlaced.png", 3, 8);
  check_direct ("grey16-interlaced.png", 1, 16);
  check_direct ("grey2-interlaced.png", 1, 2);
}

static void
check_palette (const char *name, int n, gboolean trns)
{
  g_autoptr(SalImage) img = load_ok (name);

  g_assert_cmpint (img->channels, ==, trns ? 4 : 3);
  g_assert_cmpint (img->bit_depth, ==, 8);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        guint i = (guint) ((x * 3 + y * 5) % n);
        g_assert_cmpuint (px (img, x, y, 0), ==, i * 37 % 256);
        g_assert_cmpuint (px (img, x, y, 1), ==, i * 91 % 256);
        g_assert_cmpuint (px (img, x, y, 2), ==, 255 - i);
        if (trns)
          g_assert_cmpuint (px (img, x, y, 3), ==, i < 20 ? (255 - i * 11) % 256 : 255);
      }
}

static void
test_palette (void)
{
  check_palette ("palette1.png", 2, FALSE);
  check_palette ("palette2.png", 4, FALSE);
  check_palette ("palette4.png", 16, FALSE);
  check_palette ("palette8.png", 200, FALSE);
  check_palette ("palette8-trns.png", 200, TRUE);
}

static void
test_trns_key (void)
{
  g_autoptr(SalImage) grey = load_ok ("grey8-trns.png");
  g_autoptr(SalImage) rgb = load_ok ("rgb8-trns.png");
  guint transparent = 0;

  g_assert_cmpint (grey->channels, ==, 2);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        g_assert_cmpuint (px (grey, x, y, 0), ==, raw (x, y, 0, 8));
        g_assert_cmpuint (px (grey, x, y, 1), ==, raw (x, y, 0, 8) == 20 ? 0 : 255);
      }
  g_assert_cmpint (rgb->channels, ==, 4);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if (px (rgb, x, y, 3) == 0)
        transparent++;
  g_assert_cmpuint (transparent, ==, 1);
  g_assert_cmpuint (px (rgb, 1, 0, 3), ==, 0);
  g_assert_cmpuint (px (rgb, 1, 0, 0), ==, 7);
}

static gboolean
has_chunk (GBytes *bytes, const char *type)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  gsize pos = 8;

  while (pos + 8 <= len)
    {
      guint32 n = ((guint32) d[pos] << 24) | (d[pos + 1] << 16) | (d[pos + 2] << 8) | d[pos + 3];
      if (memcmp (d + pos + 4, type, 4) == 0)
        return TRUE;
      pos += 12 + (gsize) n;
    }
  return FALSE;
}

/* Save then load gives the same pixels, and only IHDR/IDAT/IEND are written. */
static void
test_round_trip (void)
{
  const char *names[] = { "grey16.png", "greyalpha8.png", "rgb8-interlaced.png", "rgba16.png",
                          "palette8-trns.png", "grey1.png" };
  g_autofree char *dir = sal_test_tmpdir ();

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr(SalImage) a = load_ok (names[k]);
      g_autoptr(SalImage) b = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *out = g_build_filename (dir, names[k], NULL);
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_true (sal_image_save_png (a, out, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (out, &contents, &len, NULL));
      bytes = g_bytes_new (contents, len);
      g_assert_true (has_chunk (bytes, "IHDR"));
      g_assert_true (has_chunk (bytes, "IDAT"));
      g_assert_false (has_chunk (bytes, "tEXt"));
      g_assert_false (has_chunk (bytes, "gAMA"));
      b = sal_image_load_png_bytes (bytes, "copy", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (b->channels, ==, a->channels);
      g_assert_cmpint (b->bit_depth, ==, a->bit_depth);
      g_assert_cmpmem (a->pixels, (gsize) W * H * a->channels * 2,
                       b->pixels, (gsize) W * H * b->channels * 2);
    }
  sal_test_rm_rf (dir);
}

/* Saving into a folder that does not exist fails cleanly and leaves nothing. */
static void
test_save_error (void)
{
  g_autoptr(SalImage) img = sal_image_new (4, 4, 1, 8);
  g_autoptr(GError) error = NULL;

  g_assert_false (sal_image_save_png (img, "/nonexistent-dir/x.png", &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "x.png"));
  g_assert_null (sal_image_new (0, 4, 1, 8));
  g_assert_null (sal_image_new (4, 4, 5, 8));
  g_assert_null (sal_image_new (4, 4, 1, 12));
}

static void
test_limits (void)
{
  g_autofree char *path = fixture ("import/png", "rgb8.png");
  g_autoptr(GError) error = NULL;
  SalImageLimits small_side = { .max_width = 12 };
  SalImageLimits small_pixels = { .max_pixels = W * H - 1 };
  SalImageLimits small_file = { .max_bytes = 100 };
  SalImageLimits exact = { .max_width = W, .max_height = H, .max_pixels = W * H };
  g_autoptr(SalImage) ok = NULL;

  g_assert_null (sal_image_load_png (path, &small_side, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (sal_image_load_png (path, &small_pixels, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (sal_image_load_png (path, &small_file, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "rgb8.png"));
  g_clear_error (&error);
  ok = sal_image_load_png (path, &exact, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
}

/* Every png-* file of the malformed corpus is an error naming the file. */
static void
test_malformed (void)
{
  g_autofree char *dir = fixture ("malformed", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint count = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SalImage) img = NULL;

      if (!g_str_has_prefix (name, "png-"))
        continue;
      path = g_build_filename (dir, name, NULL);
      img = sal_image_load_png (path, NULL, &error);
      if (img != NULL)
        g_error ("%s was accepted", name);
      g_assert_error (error, SAL_IMPORT_ERROR, error->code);
      g_assert_true (g_str_has_prefix (error->message, name));
      g_test_message ("%s", error->message);
      count++;
    }
  g_assert_cmpuint (count, >=, 16);
}

static void
test_malformed_messages (void)
{
  struct { const char *file; const char *words; int code; } cases[] = {
    { "png-huge-dimensions.png", "100000 × 100000", SAL_IMPORT_ERROR_TOO_LARGE },
    { "png-truncated-idat.png", "truncated", SAL_IMPORT_ERROR_MALFORMED },
    { "png-bad-idat-crc.png", "CRC", SAL_IMPORT_ERROR_MALFORMED },
    { "png-bad-text-crc.png", "CRC", SAL_IMPORT_ERROR_MALFORMED },
    { "png-not-png.png", "signature", SAL_IMPORT_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = fixture ("malformed", cases[i].file);
      g_autoptr(GError) error = NULL;
      g_autoptr(SalImage) img = sal_image_load_png (path, NULL, &error);

      g_assert_null (img);
      g_assert_error (error, SAL_IMPORT_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].words) == NULL)
        g_error ("message for %s lacks “%s”: %s", cases[i].file, cases[i].words, error->message);
    }
}

static guint32
crc32_png (const guint8 *p, gsize n)
{
  guint32 crc = 0xffffffffu;

  for (gsize i = 0; i < n; i++)
    {
      crc ^= p[i];
      for (int k = 0; k < 8; k++)
        crc = (crc & 1) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
    }
  return crc ^ 0xffffffffu;
}

/* Recomputes every chunk CRC so corruption reaches libpng's decoder. */
static void
fix_crcs (guint8 *d, gsize len)
{
  gsize pos = 8;

  while (pos + 12 <= len)
    {
      guint32 n = ((guint32) d[pos] << 24) | (d[pos + 1] << 16) | (d[pos + 2] << 8) | d[pos + 3];
      guint32 crc;

      if (n > len - pos - 12)
        break;
      crc = crc32_png (d + pos + 4, 4 + (gsize) n);
      d[pos + 8 + n] = (guint8) (crc >> 24);
      d[pos + 9 + n] = (guint8) (crc >> 16);
      d[pos + 10 + n] = (guint8) (crc >> 8);
      d[pos + 11 + n] = (guint8) crc;
      pos += 12 + (gsize) n;
    }
}

/* Random corruption of a valid file: an error or an image, never a crash. */
static void
test_fuzz (void)
{
  g_autofree char *path = fixture ("import/png", "palette8-trns.png");
  g_autofree char *contents = NULL;
  gsize len;
  GRand *rand = g_rand_new_with_seed (42);
  guint accepted = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  for (int iter = 0; iter < 2000; iter++)
    {
      g_autofree guint8 *copy = g_memdup2 (contents, len);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SalImage) img = NULL;
      gsize n = len;
      int flips = g_rand_int_range (rand, 1, 6);

      for (int f = 0; f < flips; f++)
        copy[g_rand_int_range (rand, 8, (gint32) len)] = (guint8) g_rand_int (rand);
      if (g_rand_boolean (rand))
        n = g_rand_int_range (rand, 0, (gint32) len);
      if (iter % 4 != 0)
        fix_crcs (copy, n);
      bytes = g_bytes_new (copy, n);
      img = sal_image_load_png_bytes (bytes, "fuzz", NULL, &error);
      g_assert_true ((img == NULL) != (error == NULL));
      if (img != NULL)
        accepted++;
    }
  g_test_message ("%u of 2000 corrupted files still decoded", accepted);
  g_rand_free (rand);
}

typedef struct {
  GBytes       *bytes;
  GCancellable *cancellable;
  SalImage     *img;
  GError       *error;
} DecodeJob;

static gpointer
decode_thread (gpointer data)
{
  DecodeJob *job = data;
  SalImageLimits lim = { .cancellable = job->cancellable };

  job->img = sal_image_load_png_bytes (job->bytes, "big.png", &lim, &job->error);
  return NULL;
}

/* Cancelling while libpng decodes rows: it stops cleanly with nothing half-made. */
static void
test_cancel_during_decode (void)
{
  g_autoptr(SalImage) big = sal_image_new (2000, 2000, 1, 16);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  DecodeJob job = { 0 };
  GThread *thread;

  for (gsize i = 0; i < (gsize) 2000 * 2000; i++)
    big->pixels[i] = (guint16) ((i % 2000) * 31 + (i / 2000) * 7);
  job.bytes = sal_image_encode_png (big, &error);
  g_assert_no_error (error);
  job.cancellable = cancellable;
  thread = g_thread_new ("decode", decode_thread, &job);
  g_usleep (2000);
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  if (job.img != NULL)
    {
      /* the decode won the race: then it is complete */
      g_test_message ("decode finished before the cancel");
      g_assert_cmpmem (job.img->pixels, (gsize) 2000 * 2000 * 2, big->pixels,
                       (gsize) 2000 * 2000 * 2);
      sal_image_free (job.img);
    }
  else
    {
      g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_error_free (job.error);
    }
  g_bytes_unref (job.bytes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/png/grey", test_grey);
  g_test_add_func ("/app/png/rgb", test_rgb);
  g_test_add_func ("/app/png/interlaced", test_interlaced);
  g_test_add_func ("/app/png/palette", test_palette);
  g_test_add_func ("/app/png/trns-key", test_trns_key);
  g_test_add_func ("/app/png/round-trip", test_round_trip);
  g_test_add_func ("/app/png/save-error", test_save_error);
  g_test_add_func ("/app/png/limits", test_limits);
  g_test_add_func ("/app/png/malformed", test_malformed);
  g_test_add_func ("/app/png/malformed-messages", test_malformed_messages);
  g_test_add_func ("/app/png/fuzz", test_fuzz);
  g_test_add_func ("/app/png/cancel-during-decode", test_cancel_during_decode);
  return g_test_run ();
}
