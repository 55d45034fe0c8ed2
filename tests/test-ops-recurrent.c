/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RNN, GRU and LSTM against an independent reference: plain loops per batch
 * element and time step in double precision, written from the ONNX operator
 * definitions (not from the engine's batched formulation), plus
 * finite-difference gradient checks for every input. */

#include "sal-shape-op-test.h"
#include "sal-grad.h"
#include "sal-model.h"

typedef struct {
  const char *op;
  int         T, B, I, H;
  const char *dir;
  int         layout;          /* 1 needs opset 14 */
  int         lbr;             /* GRU linear_before_reset */
  float       clip;            /* 0: none */
  gboolean    bias, h0, c0, peep, lens;
  const char *acts[6];         /* NULL: defaults */
  float       alpha;           /* activation_alpha[0] when acts are given */
  gboolean    grad;
} Case;

static int
n_gates (const char *op)
{
  return g_str_equal (op, "RNN") ? 1 : g_str_equal (op, "GRU") ? 3 : 4;
}

static double
ref_act (const char *name, double alpha, double x)
{
  if (strcmp (name, "Sigmoid") == 0)
    return 1 / (1 + exp (-x));
  if (strcmp (name, "Tanh") == 0)
    return tanh (x);
  if (strcmp (name, "Relu") == 0)
    return x > 0 ? x : 0;
  if (strcmp (name, "LeakyRelu") == 0)
    return x >= 0 ? x : alpha * x;
  if (strcmp (name, "Softsign") == 0)
    return x / (1 + fabs (x));
  g_assert_not_reached ();
}

typedef struct {
  const Case  *c;
  const float *X, *W, *R, *Bb, *h0, *c0, *P;   /* X and states in layout 0 */
  const int   *lens;
  double      *Y, *Yh, *Yc;                    /* layout 0 */
} Ref;

static double
rclip (const Case *c, double x)
{
  return c->clip > 0 ? CLAMP (x, -c->clip, c->clip) : x;
}

static void
ref_run (const Ref *r)
{
  const Case *c = r->c;
  int G = n_gates (c->op), H = c->H, I = c->I, B = c->B, T = c->T;
  int D = strcmp (c->dir, "bidirectional") == 0 ? 2 : 1, per = G == 1 ? 1 : G == 3 ? 2 : 3;
  gboolean gru = G == 3, lstm = G == 4;

  for (int d = 0; d < D; d++)
    for (int b = 0; b < B; b++)
      {
        double h[16] = { 0 }, cs[16] = { 0 }, xw[4][16], hr[4][16], hn[16], cn[16], rg[16];
        const char *fn[3] = { G == 1 ? "Tanh" : "Sigmoid", "Tanh", "Tanh" };
        gboolean rev = D == 2 ? d == 1 : strcmp (c->dir, "reverse") == 0;
        int L = r->lens ? r->lens[b] : T;
        const float *W = r->W + d * G * H * I, *R = r->R + d * G * H * H;
        const float *Wb = r->Bb ? r->Bb + d * 2 * G * H : NULL, *Rb = Wb ? Wb + G * H : NULL;

        for (int k = 0; k < per; k++)
          if (c->acts[0] != NULL)
            fn[k] = c->acts[d * per + k];
        for (int j = 0; j < H; j++)
          {
            h[j] = r->h0 ? r->h0[(d * B + b) * H + j] : 0;
            cs[j] = r->c0 ? r->c0[(d * B + b) * H + j] : 0;
          }
        for (int s = 0; s < L; s++)
          {
            int t = rev ? L - 1 - s : s;
            const float *x = r->X + (t * B + b) * I;
            for (int gi = 0; gi < G; gi++)
              for (int j = 0; j < H; j++)
                {
                  double acc = Wb ? Wb[gi * H + j] : 0, acr = Rb ? Rb[gi * H + j] : 0;
                  for (int i = 0; i < I; i++)
                    acc += (double) W[(gi * H + j) * I + i] * x[i];
                  for (int k = 0; k < H; k++)
                    acr += (double) R[(gi * H + j) * H + k] * h[k];
                  xw[gi][j] = acc;
                  hr[gi][j] = acr;
                }
            if (G == 1)
              for (int j = 0; j < H; j++)
                hn[j] = ref_act (fn[0], c->alpha, rclip (c, xw[0][j] + hr[0][j]));
            if (gru)
              {
                for (int j = 0; j < H; j++)
                  rg[j] = ref_act (fn[0], c->alpha, rclip (c, xw[1][j] + hr[1][j]));
                for (int j = 0; j < H; j++)
                  {
                    double z = ref_act (fn[0], c->alpha, rclip (c, xw[0][j] + hr[0][j])), pre;
                    if (c->lbr)
                      pre = xw[2][j] + rg[j] * hr[2][j];
                    else
                      {
                        pre = xw[2][j] + (Rb ? Rb[2 * H + j] : 0);
                        for (int k = 0; k < H; k++)
                          pre += (double) R[(2 * H + j) * H + k] * rg[k] * h[k];
                      }
                    hn[j] = (1 - z) * ref_act (fn[1], c->alpha, rclip (c, pre)) + z * h[j];
                  }
              }
            if (lstm)
              for (int j = 0; j < H; j++)
                {
                  const float *P = r->P ? r->P + d * 3 * H : NULL;
                  double ig = ref_act (fn[0], c->alpha,
                                       rclip (c, xw[0][j] + hr[0][j] + (P ? P[j] * cs[j] : 0)));
                  double fg = ref_act (fn[0], c->alpha,
                                       rclip (c, xw[2][j] + hr[2][j]
                                                 + (P ? P[2 * H + j] * cs[j] : 0)));
                  double cg = ref_act (fn[1], c->alpha, rclip (c, xw[3][j] + hr[3][j]));
                  double og;
                  cn[j] = fg * cs[j] + ig * cg;
                  og = ref_act (fn[0], c->alpha,
                                rclip (c, xw[1][j] + hr[1][j] + (P ? P[H + j] * cn[j] : 0)));
                  hn[j] = og * ref_act (fn[2], c->alpha, cn[j]);
                }
            for (int j = 0; j < H; j++)
              {
                h[j] = hn[j];
                if (lstm)
                  cs[j] = cn[j];
                r->Y[((t * D + d) * B + b) * H + j] = hn[j];
              }
          }
        for (int j = 0; j < H; j++)
          {
            r->Yh[(d * B + b) * H + j] = h[j];
            r->Yc[(d * B + b) * H + j] = cs[j];
          }
      }
}

/* [A, B', H] <-> [B', A, H] */
static SalTensor *
swap01 (const float *src, int64_t a, int64_t b, int64_t h)
{
  SalTensor *t = sal_tensor_new_f32 (3, (int64_t[]) { b, a, h });

  for (int64_t i = 0; i < a; i++)
    for (int64_t j = 0; j < b; j++)
      memcpy (sal_tensor_f32 (t) + (j * a + i) * h, src + (i * b + j) * h, h * sizeof (float));
  return t;
}

static void
check_case (const Case *c)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (1234);
  int G = n_gates (c->op), D = strcmp (c->dir, "bidirectional") == 0 ? 2 : 1;
  int64_t T = c->T, B = c->B, I = c->I, H = c->H;
  gboolean lstm = G == 4;
  g_autoptr(SalTensor) X = sal_t_rand (rng, 3, (int64_t[]) { T, B, I });
  g_autoptr(SalTensor) W = sal_t_rand (rng, 3, (int64_t[]) { D, G * H, I });
  g_autoptr(SalTensor) R = sal_t_rand (rng, 3, (int64_t[]) { D, G * H, H });
  g_autoptr(SalTensor) Bb = sal_t_rand (rng, 2, (int64_t[]) { D, 2 * G * H });
  g_autoptr(SalTensor) h0 = sal_t_rand (rng, 3, (int64_t[]) { D, B, H });
  g_autoptr(SalTensor) c0 = sal_t_rand (rng, 3, (int64_t[]) { D, B, H });
  g_autoptr(SalTensor) P = sal_t_rand (rng, 2, (int64_t[]) { D, 3 * H });
  g_autoptr(SalTensor) lens = sal_tensor_new (SAL_DTYPE_INT32, 1, (int64_t[]) { B }, NULL);
  g_autoptr(SalTensor) Xl = NULL;
  g_autoptr(SalTensor) h0l = NULL;
  g_autoptr(SalTensor) c0l = NULL;
  g_autofree double *Y = g_new0 (double, T * D * B * H);
  g_autofree double *Yh = g_new0 (double, D * B * H);
  g_autofree double *Yc = g_new0 (double, D * B * H);
  g_autofree int *lv = g_new0 (int, B);
  SalNode *node = sal_node_new (c->op, "cell", c->layout ? 14 : 13);
  SalTensor *in[8];
  g_autoptr(SalOpRun) run = NULL;
  Ref ref = { c, sal_tensor_f32 (X), sal_tensor_f32 (W), sal_tensor_f32 (R),
              c->bias ? sal_tensor_f32 (Bb) : NULL, c->h0 ? sal_tensor_f32 (h0) : NULL,
              lstm && c->c0 ? sal_tensor_f32 (c0) : NULL,
              lstm && c->peep ? sal_tensor_f32 (P) : NULL, c->lens ? lv : NULL, Y, Yh, Yc };
  int n_acts = 0;

  for (int b = 0; b < B; b++)
    {
      lv[b] = c->lens ? (int) (T - (b % (T + 1))) : (int) T;   /* includes 0 and T */
      ((gint32 *) lens->data)[b] = lv[b];
    }
  ref_run (&ref);

  sal_node_set_int (node, "hidden_size", H);
  sal_node_set_string (node, "direction", c->dir);
  if (c->layout)
    sal_node_set_int (node, "layout", 1);
  if (G == 3)
    sal_node_set_int (node, "linear_before_reset", c->lbr);
  if (c->clip > 0)
    sal_node_set_float (node, "clip", c->clip);
  while (n_acts < 6 && c->acts[n_acts] != NULL)
    n_acts++;
  if (n_acts > 0)
    {
      sal_node_set_strings (node, "activations", n_acts, c->acts);
      sal_node_set_floats (node, "activation_alpha", 1, &c->alpha);
    }
  if (c->layout)
    {
      Xl = swap01 (sal_tensor_f32 (X), T, B, I);
      h0l = swap01 (sal_tensor_f32 (h0), D, B, H);
      c0l = swap01 (sal_tensor_f32 (c0), D, B, H);
    }
  in[0] = c->layout ? Xl : X;
  in[1] = W;
  in[2] = R;
  in[3] = c->bias ? Bb : NULL;
  in[4] = c->lens ? lens : NULL;
  in[5] = c->h0 ? (c->layout ? h0l : h0) : NULL;
  in[6] = lstm && c->c0 ? (c->layout ? c0l : c0) : NULL;
  in[7] = lstm && c->peep ? P : NULL;
  run = sal_op_run (node, lstm ? 8 : 6, in, lstm ? 3 : 2);

  for (int64_t t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      for (int64_t b = 0; b < B; b++)
        for (int64_t j = 0; j < H; j++)
          {
            int64_t o = c->layout ? ((b * T + t) * D + d) * H + j : ((t * D + d) * B + b) * H + j;
            double want = Y[((t * D + d) * B + b) * H + j];
            g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (run->out[0])[o], want,
                                            1e-5 + 1e-5 * fabs (want));
          }
  for (int d = 0; d < D; d++)
    for (int64_t b = 0; b < B; b++)
      for (int64_t j = 0; j < H; j++)
        {
          int64_t o = c->layout ? (b * D + d) * H + j : (d * B + b) * H + j;
          g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (run->out[1])[o],
                                          Yh[(d * B + b) * H + j], 1e-5);
          if (lstm)
            g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (run->out[2])[o],
                                            Yc[(d * B + b) * H + j], 1e-5);
        }
  if (c->grad)
    sal_op_grad_check (run, 0xef, 0x7, 1e-2, 1e-2, 2e-3);
}

static void
test_rnn (void)
{
  check_case (&(Case) { "RNN", 4, 3, 3, 4, "forward", .bias = TRUE, .h0 = TRUE, .grad = TRUE });
  check_case (&(Case) { "RNN", 3, 2, 2, 3, "bidirectional", .bias = TRUE, .lens = TRUE,
                        .grad = TRUE });
  check_case (&(Case) { "RNN", 5, 1, 3, 2, "reverse", .h0 = TRUE, .grad = TRUE });
}

static void
test_rnn_activations (void)
{
  check_case (&(Case) { "RNN", 4, 2, 3, 3, "bidirectional", .bias = TRUE,
                        .acts = { "Relu", "LeakyRelu" }, .alpha = 0.1f });
  check_case (&(Case) { "RNN", 4, 2, 3, 3, "forward", .bias = TRUE, .h0 = TRUE,
                        .acts = { "Softsign" }, .grad = TRUE });
}

static void
test_gru (void)
{
  check_case (&(Case) { "GRU", 4, 3, 3, 4, "forward", .bias = TRUE, .grad = TRUE });
  check_case (&(Case) { "GRU", 4, 3, 2, 3, "bidirectional", .bias = TRUE, .h0 = TRUE,
                        .lens = TRUE, .grad = TRUE });
  check_case (&(Case) { "GRU", 3, 1, 3, 3, "reverse", .bias = TRUE, .h0 = TRUE, .grad = TRUE });
}

/* PyTorch exports GRUs with linear_before_reset = 1; no ONNX test case covers it. */
static void
test_gru_linear_before_reset (void)
{
  check_case (&(Case) { "GRU", 4, 3, 3, 4, "forward", .lbr = 1, .bias = TRUE, .grad = TRUE });
  check_case (&(Case) { "GRU", 4, 3, 2, 3, "bidirectional", .lbr = 1, .bias = TRUE, .h0 = TRUE,
                        .lens = TRUE, .grad = TRUE });
  check_case (&(Case) { "GRU", 5, 1, 4, 3, "bidirectional", .lbr = 1, .bias = TRUE,
                        .grad = TRUE });
  check_case (&(Case) { "GRU", 3, 2, 2, 2, "reverse", .lbr = 1, .h0 = TRUE, .grad = TRUE });
}

static void
test_lstm (void)
{
  check_case (&(Case) { "LSTM", 4, 3, 3, 4, "forward", .bias = TRUE, .grad = TRUE });
  check_case (&(Case) { "LSTM", 3, 3, 2, 3, "bidirectional", .bias = TRUE, .h0 = TRUE,
                        .c0 = TRUE, .peep = TRUE, .lens = TRUE, .grad = TRUE });
  check_case (&(Case) { "LSTM", 4, 1, 3, 2, "reverse", .bias = TRUE, .c0 = TRUE, .peep = TRUE,
                        .grad = TRUE });
}

static void
test_clip (void)
{
  /* a small clip bites on most gates: forward only (clip has kinks) */
  check_case (&(Case) { "LSTM", 3, 2, 3, 3, "bidirectional", .clip = 0.3f, .bias = TRUE,
                        .h0 = TRUE });
  check_case (&(Case) { "GRU", 3, 2, 3, 3, "forward", .clip = 0.3f, .lbr = 1, .bias = TRUE });
  check_case (&(Case) { "RNN", 3, 2, 3, 3, "forward", .clip = 0.3f, .bias = TRUE });
}

static void
test_layout1 (void)
{
  check_case (&(Case) { "GRU", 4, 3, 2, 3, "bidirectional", .layout = 1, .lbr = 1, .bias = TRUE,
                        .h0 = TRUE, .lens = TRUE, .grad = TRUE });
  check_case (&(Case) { "LSTM", 3, 2, 3, 2, "forward", .layout = 1, .bias = TRUE, .h0 = TRUE,
                        .c0 = TRUE, .grad = TRUE });
  check_case (&(Case) { "RNN", 3, 1, 2, 2, "bidirectional", .layout = 1, .grad = TRUE });
}

static void
test_errors (void)
{
  g_autoptr(SalTensor) X = sal_tensor_new_f32 (3, (int64_t[]) { 2, 1, 3 });
  g_autoptr(SalTensor) W = sal_tensor_new_f32 (3, (int64_t[]) { 1, 12, 3 });
  g_autoptr(SalTensor) Wbad = sal_tensor_new_f32 (3, (int64_t[]) { 1, 9, 3 });
  g_autoptr(SalTensor) R = sal_tensor_new_f32 (3, (int64_t[]) { 1, 12, 4 });
  g_autoptr(SalTensor) lens = sal_tensor_new (SAL_DTYPE_INT32, 1, (int64_t[]) { 1 }, NULL);
  SalTensor *in[5] = { X, Wbad, R, NULL, NULL };
  SalNode *n;

  n = sal_node_new ("GRU", NULL, 13);
  sal_node_set_int (n, "hidden_size", 4);
  sal_op_expect_error (n, 3, in, 2, SAL_ERROR_INVALID);
  in[1] = W;
  n = sal_node_new ("GRU", NULL, 13);
  sal_node_set_string (n, "direction", "sideways");
  sal_op_expect_error (n, 3, in, 2, SAL_ERROR_INVALID);
  n = sal_node_new ("GRU", NULL, 13);
  sal_node_set_strings (n, "activations", 2, (const char *[]) { "Sigmoid", "Swish" });
  sal_op_expect_error (n, 3, in, 2, SAL_ERROR_UNSUPPORTED);
  ((gint32 *) lens->data)[0] = 3;
  in[4] = lens;
  sal_op_expect_error (sal_node_new ("GRU", NULL, 13), 5, in, 2, SAL_ERROR_INVALID);
}

/* ------------------------------------------------ PyTorch nn.GRU exports */

static SalTensor *
load_pb (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *bytes = NULL;
  g_autoptr(GError) error = NULL;
  SalTensor *t;
  gsize len;

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  t = sal_tensor_load_pb ((const guint8 *) bytes, len, NULL, &error);
  g_assert_no_error (error);
  return t;
}

static void
assert_close (const char *what, const SalTensor *got, const SalTensor *want, double rtol)
{
  g_assert_nonnull (got);
  g_assert_true (sal_tensor_same_shape (got, want));
  for (int64_t i = 0; i < want->numel; i++)
    {
      double a = sal_tensor_f32 (got)[i], b = sal_tensor_f32 (want)[i];
      if (!(fabs (a - b) <= 1e-5 + rtol * fabs (b)))
        g_error ("%s[%" G_GINT64_FORMAT "]: Salient %.7g, PyTorch %.7g", what, i, a, b);
    }
}

/* tools/make-gru-fixture.py: nn.GRU exported by PyTorch 1.13 (linear_before_reset
 * = 1), its outputs, and its input gradients for a seeded dL/dy. */
static void
test_pytorch_gru (void)
{
  const char *cases[] = { "bidirectional-opset13", "batch-first-opset17" };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *dir = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests",
                                               "fixtures", "gru", cases[c], NULL);
      g_autofree char *data = g_build_filename (dir, "test_data_set_0", NULL);
      g_autofree char *model_path = g_build_filename (dir, "model.onnx", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SalModel) model = sal_model_load_file (model_path, NULL, &error);
      g_autoptr(SalRun) run = NULL;
      g_autoptr(SalGrad) grad = NULL;
      g_autoptr(SalTensor) x = load_pb (data, "input_0.pb");
      g_autoptr(SalTensor) h0 = load_pb (data, "input_1.pb");
      g_autoptr(SalTensor) y = load_pb (data, "output_0.pb");
      g_autoptr(SalTensor) hn = load_pb (data, "output_1.pb");
      g_autoptr(SalTensor) seed = load_pb (data, "grad_seed.pb");
      g_autoptr(SalTensor) gx = load_pb (data, "grad_input_0.pb");
      g_autoptr(SalTensor) gh0 = load_pb (data, "grad_input_1.pb");

      g_assert_no_error (error);
      run = sal_run_new (model);
      /* two engine threads: the batch rows of the recurrence run in parallel */
      sal_run_set_threads (run, 2);
      grad = sal_grad_new (run);
      sal_grad_want_inputs (grad);
      g_assert_true (sal_run_set_input_by_name (run, "x", x, &error));
      g_assert_true (sal_run_set_input_by_name (run, "h0", h0, &error));
      g_assert_true (sal_run_execute (run, &error));
      g_assert_no_error (error);
      assert_close ("y", sal_run_get_output (run, sal_model_find_output (model, "y")), y, 1e-4);
      assert_close ("h_n", sal_run_get_output (run, sal_model_find_output (model, "h_n")), hn,
                    1e-4);
      g_assert_true (sal_grad_backward (grad, sal_model_find_output (model, "y"), seed, &error));
      g_assert_no_error (error);
      assert_close ("dL/dx", sal_grad_get (grad, "x"), gx, 1e-3);
      assert_close ("dL/dh0", sal_grad_get (grad, "h0"), gh0, 1e-3);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/ops-recurrent/rnn", test_rnn);
  g_test_add_func ("/engine/ops-recurrent/rnn-activations", test_rnn_activations);
  g_test_add_func ("/engine/ops-recurrent/gru", test_gru);
  g_test_add_func ("/engine/ops-recurrent/gru-linear-before-reset", test_gru_linear_before_reset);
  g_test_add_func ("/engine/ops-recurrent/lstm", test_lstm);
  g_test_add_func ("/engine/ops-recurrent/clip", test_clip);
  g_test_add_func ("/engine/ops-recurrent/layout1", test_layout1);
  g_test_add_func ("/engine/ops-recurrent/errors", test_errors);
  g_test_add_func ("/engine/ops-recurrent/pytorch-gru", test_pytorch_gru);
  return g_test_run ();
}
