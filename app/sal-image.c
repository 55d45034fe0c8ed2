/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-image"

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <png.h>
#include <setjmp.h>
#include <string.h>

#include "sal-image.h"
#include "sal-import-util.h"

/* Ancillary chunks (iCCP, zTXt, …) may not decompress into more than this. */
#define CHUNK_MALLOC_MAX (8u * 1024 * 1024)

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* All state the setjmp-protected code changes lives here, in the caller's
 * frame, so nothing is lost when libpng jumps back. */
typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
  char          message[256];
  SalImage     *img;
  png_bytep    *rows;
  GByteArray   *out;
  GCancellable *cancellable;
  gboolean      cancelled;
} PngCtx;

SalImage *
sal_image_new (int width, int height, int channels, int bit_depth)
{
  SalImage *img;
  guint64 n;

  if (width <= 0 || height <= 0 || channels < 1 || channels > 4
      || (bit_depth != 8 && bit_depth != 16))
    return NULL;
  n = (guint64) width * (guint64) height * (guint64) channels;
  if (n > G_MAXSIZE / sizeof (guint16) / 2)
    return NULL;
  img = g_new0 (SalImage, 1);
  img->width = width;
  img->height = height;
  img->channels = channels;
  img->bit_depth = bit_depth;
  img->pixels = g_try_malloc0 ((gsize) n * sizeof (guint16));
  if (img->pixels == NULL)
    {
      g_free (img);
      return NULL;
    }
  return img;
}

void
sal_image_free (SalImage *img)
{
  if (img == NULL)
    return;
  g_free (img->pixels);
  g_free (img);
}

static void
on_png_error (png_structp png, png_const_charp msg)
{
  PngCtx *ctx = png_get_error_ptr (png);

  g_strlcpy (ctx->message, msg != NULL ? msg : "unknown error", sizeof ctx->message);
  png_longjmp (png, 1);
}

static void
on_png_warning (png_structp png, png_const_charp msg)
{
  /* Warnings (unknown or damaged ancillary chunks we do not use) are harmless. */
}

static void
on_png_read (png_structp png, png_bytep dest, png_size_t length)
{
  PngCtx *ctx = png_get_io_ptr (png);

  if (length > ctx->len - ctx->pos)
    png_error (png, "the file ends early (truncated)");
  memcpy (dest, ctx->data + ctx->pos, length);
  ctx->pos += length;
}

static void
resolve_limits (const SalImageLimits *in, SalImageLimits *out)
{
  out->max_bytes = in != NULL && in->max_bytes > 0 ? in->max_bytes : SAL_IMAGE_DEFAULT_MAX_BYTES;
  out->max_width = in != NULL && in->max_width > 0 ? in->max_width : SAL_IMAGE_DEFAULT_MAX_SIDE;
  out->max_height = in != NULL && in->max_height > 0 ? in->max_height : SAL_IMAGE_DEFAULT_MAX_SIDE;
  out->max_pixels = in != NULL && in->max_pixels > 0 ? in->max_pixels
                                                     : SAL_IMAGE_DEFAULT_MAX_PIXELS;
  /* PNG itself caps a side at 2^31 - 1, and libpng wants the limit to fit there. */
  out->cancellable = in != NULL ? in->cancellable : NULL;
  out->max_width = MIN (out->max_width, (guint32) G_MAXINT32);
  out->max_height = MIN (out->max_height, (guint32) G_MAXINT32);
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint32
crc32_update (guint32 crc, const guint8 *p, gsize n)
{
  static guint32 table[256];
  static gsize table_ready = 0;

  if (g_once_init_enter (&table_ready))
    {
      for (guint32 i = 0; i < 256; i++)
        {
          guint32 c = i;
          for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
          table[i] = c;
        }
      g_once_init_leave (&table_ready, 1);
    }
  for (gsize i = 0; i < n; i++)
    crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

/* Walks the chunk list before libpng sees the file: declared sizes, CRCs
 * (libpng would inflate a damaged IDAT before noticing its CRC) and the end. */
static gboolean
check_chunks (const guint8 *data, gsize len, const char *name, GError **error)
{
  gsize pos = 8;

  while (pos < len)
    {
      guint32 n, crc;
      char type[5] = { 0 };

      if (len - pos < 12)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                       _("%s: not a valid PNG image: the file ends inside a chunk header "
                         "at byte %zu (truncated)"), name, pos);
          return FALSE;
        }
      n = read_be32 (data + pos);
      memcpy (type, data + pos + 4, 4);
      for (int i = 0; i < 4; i++)
        if (!g_ascii_isalpha (type[i]))
          {
            g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                         _("%s: not a valid PNG image: bad chunk type at byte %zu"),
                         name, pos);
            return FALSE;
          }
      if (n > G_MAXINT32 || n > len - pos - 12)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                       _("%s: not a valid PNG image: chunk %s at byte %zu"
                         " declares %u bytes but the file ends before them (truncated)"),
                       name, type, pos, n);
          return FALSE;
        }
      crc = crc32_update (0xffffffffu, data + pos + 4, 4 + (gsize) n) ^ 0xffffffffu;
      if (crc != read_be32 (data + pos + 8 + n))
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                       _("%s: not a valid PNG image: chunk %s at byte %zu"
                         " has a wrong CRC (the file is damaged)"), name, type, pos);
          return FALSE;
        }
      pos += 12 + (gsize) n;
      if (strcmp (type, "IEND") == 0)
        return TRUE;
    }
  g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
               _("%s: not a valid PNG image: the file ends before its IEND chunk (truncated)"),
               name);
  return FALSE;
}

/* Checks the declared size before libpng allocates anything for it. */
static gboolean
check_header (const guint8 *data, gsize len, const char *name,
              const SalImageLimits *lim, GError **error)
{
  guint32 w, h;

  if (len < 8 || memcmp (data, png_signature, 8) != 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: not a PNG image (the PNG signature is missing)"), name);
      return FALSE;
    }
  if (len < 8 + 8 + 13 || memcmp (data + 12, "IHDR", 4) != 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: not a valid PNG image (the IHDR header chunk is missing or cut off)"),
                   name);
      return FALSE;
    }
  if (!check_chunks (data, len, name, error))
    return FALSE;
  w = read_be32 (data + 16);
  h = read_be32 (data + 20);
  if (w > lim->max_width || h > lim->max_height || (guint64) w * h > lim->max_pixels)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: the image declares %u × %u pixels, more than allowed "
                     "(at most %u × %u and %" PRIu64 " pixels)"),
                   name, w, h, lim->max_width, lim->max_height, lim->max_pixels);
      return FALSE;
    }
  return TRUE;
}

static void
on_png_row (png_structp png, png_uint_32 row, int pass)
{
  PngCtx *ctx = png_get_io_ptr (png);

  if (g_cancellable_is_cancelled (ctx->cancellable))
    {
      ctx->cancelled = TRUE;
      png_error (png, "cancelled");
    }
}

/* Runs libpng under setjmp; returns FALSE with ctx->message set on error. */
static gboolean
decode (PngCtx *ctx, png_structp png, png_infop info, const SalImageLimits *lim)
{
  png_uint_32 width, height;
  int depth, color, channels;
  gsize rowbytes;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_set_user_limits (png, lim->max_width, lim->max_height);
  png_set_chunk_malloc_max (png, CHUNK_MALLOC_MAX);
  png_set_chunk_cache_max (png, 1000);
  /* A bad CRC on any chunk, even one we would ignore, means a damaged file. */
  png_set_crc_action (png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
  png_set_read_fn (png, ctx, on_png_read);
  if (ctx->cancellable != NULL)
    png_set_read_status_fn (png, on_png_row);
  png_read_info (png, info);

  width = png_get_image_width (png, info);
  height = png_get_image_height (png, info);
  depth = png_get_bit_depth (png, info);
  color = png_get_color_type (png, info);
  if ((guint64) width * height > lim->max_pixels)
    png_error (png, "the image has more pixels than allowed");

  if (color == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  if (png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_tRNS_to_alpha (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);

  depth = png_get_bit_depth (png, info);
  channels = png_get_channels (png, info);
  rowbytes = png_get_rowbytes (png, info);
  if ((depth != 8 && depth != 16) || channels < 1 || channels > 4
      || rowbytes != (gsize) width * channels * (depth / 8))
    png_error (png, "unexpected pixel layout after expansion");

  ctx->img = sal_image_new ((int) width, (int) height, channels, depth);
  if (ctx->img == NULL)
    png_error (png, "not enough memory for the image");

  /* Decode straight into the pixel buffer (as bytes), then widen in place. */
  ctx->rows = g_new (png_bytep, height);
  for (png_uint_32 y = 0; y < height; y++)
    ctx->rows[y] = (png_bytep) ctx->img->pixels + (gsize) y * rowbytes;
  png_read_image (png, ctx->rows);
  png_read_end (png, NULL);
  return TRUE;
}

static void
widen_in_place (SalImage *img)
{
  gsize n = (gsize) img->width * img->height * img->channels;
  guint8 *bytes = (guint8 *) img->pixels;

  if (img->bit_depth == 8)
    {
      /* byte i moves to slot i (2i bytes): walk backwards so nothing is overwritten early. */
      for (gsize i = n; i-- > 0;)
        img->pixels[i] = bytes[i];
    }
  else
    {
      for (gsize i = 0; i < n; i++)
        img->pixels[i] = (guint16) ((bytes[2 * i] << 8) | bytes[2 * i + 1]);
    }
}

SalImage *
sal_image_load_png_bytes (GBytes *bytes, const char *name, const SalImageLimits *limits,
                          GError **error)
{
  SalImageLimits lim;
  PngCtx ctx = { 0 };
  png_structp png;
  png_infop info;
  gboolean ok;

  g_return_val_if_fail (bytes != NULL, NULL);
  if (name == NULL)
    name = _("image");
  resolve_limits (limits, &lim);
  ctx.data = g_bytes_get_data (bytes, &ctx.len);
  ctx.cancellable = lim.cancellable;
  if (g_cancellable_set_error_if_cancelled (lim.cancellable, error))
    return NULL;
  if (ctx.len > lim.max_bytes)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: the file is %zu bytes, more than the "
                     "%zu bytes allowed"), name, ctx.len, lim.max_bytes);
      return NULL;
    }
  if (!check_header (ctx.data, ctx.len, name, &lim, error))
    return NULL;

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &ctx, on_png_error, on_png_warning);
  info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO,
                   _("%s: cannot start the PNG decoder"), name);
      return NULL;
    }
  ok = decode (&ctx, png, info, &lim);
  png_destroy_read_struct (&png, &info, NULL);
  g_free (ctx.rows);
  if (!ok && ctx.cancelled)
    {
      g_clear_pointer (&ctx.img, sal_image_free);
      g_cancellable_set_error_if_cancelled (ctx.cancellable, error);
      return NULL;
    }
  if (!ok)
    {
      g_clear_pointer (&ctx.img, sal_image_free);
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: not a valid PNG image: %s"), name, ctx.message);
      return NULL;
    }
  widen_in_place (ctx.img);
  return ctx.img;
}

SalImage *
sal_image_load_png (const char *path, const SalImageLimits *limits, GError **error)
{
  g_autofree char *name = sal_import_display_name (path);
  g_autoptr(GBytes) bytes = NULL;
  SalImageLimits lim;

  resolve_limits (limits, &lim);
  bytes = sal_import_read_file (path, lim.max_bytes, error);
  if (bytes == NULL)
    return NULL;
  return sal_image_load_png_bytes (bytes, name, &lim, error);
}

static void
on_png_write (png_structp png, png_bytep data, png_size_t length)
{
  PngCtx *ctx = png_get_io_ptr (png);

  g_byte_array_append (ctx->out, data, (guint) length);
}

static void
on_png_flush (png_structp png)
{
}

static gboolean
encode (PngCtx *ctx, png_structp png, png_infop info, const SalImage *img, guint8 *row)
{
  static const int color_types[] = {
    PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA
  };
  gsize per_row = (gsize) img->width * img->channels;
  guint16 maxval = img->bit_depth == 16 ? 0xffff : 0xff;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_set_write_fn (png, ctx, on_png_write, on_png_flush);
  png_set_IHDR (png, info, (png_uint_32) img->width, (png_uint_32) img->height, img->bit_depth,
                color_types[img->channels - 1], PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (int y = 0; y < img->height; y++)
    {
      const guint16 *src = img->pixels + (gsize) y * per_row;

      for (gsize i = 0; i < per_row; i++)
        {
          guint16 v = MIN (src[i], maxval);
          if (img->bit_depth == 16)
            {
              row[2 * i] = (guint8) (v >> 8);
              row[2 * i + 1] = (guint8) (v & 0xff);
            }
          else
            row[i] = (guint8) v;
        }
      png_write_row (png, row);
    }
  png_write_end (png, NULL);
  return TRUE;
}

GBytes *
sal_image_encode_png (const SalImage *img, GError **error)
{
  g_autofree guint8 *row = NULL;
  PngCtx ctx = { 0 };
  png_structp png;
  png_infop info;
  gboolean ok;

  g_return_val_if_fail (img != NULL && img->pixels != NULL, NULL);
  if (img->width <= 0 || img->height <= 0 || img->channels < 1 || img->channels > 4
      || (img->bit_depth != 8 && img->bit_depth != 16))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                   _("cannot write a PNG of %d × %d pixels with %d channels at %d bits"),
                   img->width, img->height, img->channels, img->bit_depth);
      return NULL;
    }
  row = g_malloc ((gsize) img->width * img->channels * (img->bit_depth / 8));
  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &ctx, on_png_error, on_png_warning);
  info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_write_struct (&png, NULL);
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO,
                   _("cannot start the PNG encoder"));
      return NULL;
    }
  ctx.out = g_byte_array_new ();
  ok = encode (&ctx, png, info, img, row);
  png_destroy_write_struct (&png, &info);
  if (!ok)
    {
      g_byte_array_unref (ctx.out);
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO,
                   _("cannot encode the PNG image: %s"), ctx.message);
      return NULL;
    }
  return g_byte_array_free_to_bytes (ctx.out);
}

gboolean
sal_image_save_png (const SalImage *img, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  gsize len;
  const void *data;

  bytes = sal_image_encode_png (img, &local);
  if (bytes == NULL)
    {
      g_autofree char *name = sal_import_display_name (path);
      g_set_error (error, SAL_IMPORT_ERROR, local->code, "%s: %s", name, local->message);
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &len);
  return sal_import_write_atomic (path, data, len, error);
}
