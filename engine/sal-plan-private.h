/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Engine-private view of loaded models and planned runs: the backward pass
 * and the explanation methods walk `steps` in reverse, reading each node's
 * input and output tensors and workspace (keep them with sal_run_keep_all). */

#include "sal-model.h"
#include "sal-graph.h"
#include "sal-alloc.h"
#include "sal-op.h"

G_BEGIN_DECLS

struct _SalModel {
  gint             ref_count;
  SalGraph        *graph;
  /* Per value: the tensor when it is known without running (a weight, or
   * folded at load from weights and Constant nodes), else NULL. Borrowed from
   * graph->values[i]->init or owned by `folded`. Training that changes
   * weights in place must know that nodes computed from weights alone
   * (node_folded) and the ops' prepared (repacked) weights were made at load:
   * rebuild the model from its graph after an update, or keep weights as
   * graph inputs while training. */
  SalTensor      **consts;
  gboolean        *node_folded;   /* per node: computed at load */
  GPtrArray       *folded;        /* SalTensor*, owned */
  char           **warnings;      /* NULL-terminated */
  SalAllocAccount  account;
};

typedef enum {
  SAL_SLOT_NONE,       /* absent or not needed */
  SAL_SLOT_CONST,      /* model constant or folded at plan time */
  SAL_SLOT_INPUT,      /* the caller's tensor */
  SAL_SLOT_ARENA,      /* computed by a step, lives in the arena */
} SalSlotKind;

typedef struct {
  SalNode     *node;
  int          node_index;   /* in graph->nodes */
  SalTensor  **in;           /* node->n_inputs pointers, NULL for absent inputs */
  SalTensor  **out;          /* node->n_outputs pointers, NULL for absent outputs */
  gsize        workspace;    /* bytes asked by infer */
  void        *scratch;      /* workspace memory (own region when keep_all, unless the
                              * op's backward uses it as a work area only) */
  gsize        scratch_offset; /* in the arena */
} SalPlanStep;

typedef struct {
  SalTensor   *values;       /* one per graph value: shape + data pointer */
  guint8      *kinds;        /* SalSlotKind per value */
  gsize       *offsets;      /* arena offset per SAL_SLOT_ARENA value */
  SalPlanStep *steps;        /* the nodes run at execute, topological order */
  int          n_steps;
  guint8      *arena;        /* sal_alloc'd at the first execute (not zeroed) */
  gsize        arena_bytes;
  gsize        value_bytes;  /* sum of the arena values' sizes (without workspaces) */
  GPtrArray   *owned;        /* SalTensor* folded at plan time */
  int          level;        /* 0: no input known at plan time; 1: integer inputs; 2: all */
  SalTensor  **snapshot;     /* per graph input: copy of its value when known at plan time */
  gboolean     keep_all;
} SalPlan;

struct _SalRun {
  SalModel        *model;
  SalPlan         *plan;
  const SalTensor **inputs;    /* borrowed, per graph input */
  gboolean        *keep;       /* per value */
  gboolean         keep_all;
  int              n_threads;
  gpointer         team;       /* SalThreadTeam */
  SalCancelFunc    cancel;
  SalProgressFunc  progress;
  gpointer         user_data;
  SalExecCtx       ctx;
  guint            n_plans;
  SalAllocAccount  account;
};

/* The input tensors a node sees at load time: constants with their data,
 * everything else with the declared type and no data. `storage` and `in`
 * have node->n_inputs entries. */
void      sal_model_load_time_inputs (SalModel *model, SalNode *node, SalTensor *storage,
                                      SalTensor **in);

/* Makes a model of a graph built in memory (the graph builder); takes the graph. */
SalModel *sal_model_new_from_graph (SalGraph *graph, GError **error);

/* Fills in the types of values the model does not declare (sal-plan.c). */
void      sal_plan_infer_declared  (SalModel *model);

/* Runs one node at plan time on known inputs, producing owned outputs
 * (added to `owned`). */
gboolean sal_plan_fold_node (SalNode *node, SalTensor *const *in, SalTensor **out,
                             GPtrArray *owned, GError **error);
/* "Conv node “conv1”" or "Conv node #3", for messages. */
char    *sal_node_label     (const SalNode *node, int index);

/* Plans the run for its current inputs without executing it (the arena is
 * allocated at the first execute), and the plan's sizes: the bytes of all
 * values computed in the arena (each counted once), and of the arena. */
gboolean  sal_run_plan       (SalRun *run, GError **error);
void      sal_run_plan_sizes (SalRun *run, gsize *value_bytes, gsize *arena_bytes);

/* Thread team behind sal_exec_parallel_for (sal-exec.c). */
typedef struct _SalThreadTeam SalThreadTeam;
SalThreadTeam *sal_thread_team_new  (int n_threads);
void           sal_thread_team_free (SalThreadTeam *team);
int            sal_exec_default_threads (void);

G_END_DECLS
