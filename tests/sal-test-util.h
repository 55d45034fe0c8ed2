/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Small helpers shared by tests (header-only so every test links alone). */

#include <glib.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

/* Runs the built salient-cli with the NULL-terminated arguments; captures
 * stdout/stderr when asked. Returns the exit status (or -1 when it died). */
G_GNUC_NULL_TERMINATED static inline int
sal_test_run_cli (char **out, char **err, const char *first_arg, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *builddir = g_getenv ("SALIENT_BUILD_DIR");
  g_autoptr(GError) error = NULL;
  int status = -1;
  va_list ap;

  g_assert_nonnull (builddir);
  g_ptr_array_add (argv, g_build_filename (builddir, "app", "salient-cli", NULL));
  va_start (ap, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     out, err, &status, &error))
    g_error ("cannot run salient-cli: %s", error->message);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return -1;
}

/* A fresh temporary folder, removed by the caller with sal_test_rm_rf. */
static inline char *
sal_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("salient-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline void
sal_test_rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            sal_test_rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}
