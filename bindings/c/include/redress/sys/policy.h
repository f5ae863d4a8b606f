/* redress/sys/policy.h: implementing a policy in C.
 *
 * Only for hosts that answer the engine's policy questions in their own code;
 * everyone else loads a policy document with redress_policy_parse().
 *
 * A host fills a `redress_policy_impl`, a struct of function pointers, and
 * makes a policy of it with redress_policy_new(). The rules, as SQLite's
 * sqlite3_vfs and libgit2's git_odb_backend:
 *
 *   - `version` comes first and says which members the host knows; then
 *     `user_data`, which the library never touches. Members are grouped by
 *     the version that added them and only ever appended.
 *   - A NULL method means "ask the fallback policy", which every C policy
 *     has (usually a reference policy read from a document). In version 1
 *     the settings and the business calendar always come from the fallback.
 *   - A method returns 0 on success or a negative value on failure; the
 *     engine then fails with REDRESS_EPOLICY_FAILED and leaves the case
 *     unchanged. Methods are called only from the thread calling
 *     redress_case_apply() / redress_case_restore(); a policy shared between
 *     threads must make its methods safe to call concurrently.
 *   - The `redress_case` a method receives is borrowed for the call only.
 *   - Memory: text a method returns through a `char **` comes from
 *     redress_policy_alloc(); the library frees it. Nothing else the method
 *     receives may be freed or kept.
 *   - redress_policy_new() copies the struct; `user_data` must stay valid
 *     until the policy is freed, when `release` (if set) is called with it.
 *
 * Example (top-level):
 *   static int authority(int64_t *limit_minor_out, int *unlimited_out,
 *                        const redress_policy_impl *self, int level,
 *                        const char *remedy_kind) {
 *     *limit_minor_out = level == 0 ? 10000 : 100000;  // 100.00, 1000.00
 *     return 0;
 *   }
 *
 * Example (given const redress_policy *reference; from redress_policy_parse()):
 *   redress_policy_impl impl = REDRESS_POLICY_INIT;
 *   impl.authority = authority;
 *   redress_policy *mine = NULL;
 *   int rc = redress_policy_new(&mine, &impl, reference);
 *   if (rc < 0) return rc;
 */
#ifndef REDRESS_SYS_POLICY_H
#define REDRESS_SYS_POLICY_H

#include <redress/redress.h>

REDRESS_BEGIN_DECL

#define REDRESS_POLICY_VERSION 2

typedef struct redress_policy_impl redress_policy_impl;

/* redress_spend
 *
 * Remedies already granted outside the case, in minor units of the policy's
 * currency; a `has_` flag of 0 means "not known". The library zeroes the
 * struct before each call, so a host that knows fewer members leaves the
 * later ones unknown. Members are only ever appended. */
typedef struct redress_spend {
  int has_incident_group;
  int64_t incident_group_minor;
  int has_customer_in_period;
  int64_t customer_in_period_minor;
  /* --- read from policies of version 2 on --- */
  /* How many remedies (non-material ones not counted) the customer was
   * granted in the policy's cap period outside this case, for the policy's
   * `customer_cap_count` (0 to INT_MAX). */
  int has_customer_remedies_in_period;
  int64_t customer_remedies_in_period;
} redress_spend;

/* Extension operations (see `control`) below this value are reserved for
 * redress; a host numbers its own from here. */
#define REDRESS_POLICY_CONTROL_USER 100

struct redress_policy_impl {
  unsigned int version;
  void *user_data;

  /* --- added in version 1 --- */

  /* The most an agent at authority `level` (0: front line, 1: supervisor,
   * ...) may grant alone of `remedy_kind` ("extension", "replacement",
   * "extra", "cash", "non_material"), in minor units of the policy's
   * currency; set *unlimited_out to 1 for no limit. Both outs start at 0.
   * Must be non-decreasing in level. */
  int (*authority)(int64_t *limit_minor_out, int *unlimited_out, const redress_policy_impl *self, int level,
                   const char *remedy_kind);

  /* Whether `request` is within the service. Out of scope: set *in_scope_out
   * to 0 and give the reason and an alternative (from redress_policy_alloc(),
   * or left NULL). *in_scope_out starts at 1. */
  int (*scope)(int *in_scope_out, char **reason_out, char **alternative_out, const redress_policy_impl *self,
               const redress_case *c, const char *request);

  /* Remedies granted outside this case, as the host's records show: their
   * value and (from version 2 on) their count. *out starts with nothing
   * known. */
  int (*prior_spend)(redress_spend *out, const redress_policy_impl *self, const redress_case *c);

  /* Host-defined operations, reached through redress_policy_control(): `op`
   * is at least REDRESS_POLICY_CONTROL_USER. Return REDRESS_ENOTSUPPORTED for
   * an operation the host does not know. */
  int (*control)(const redress_policy_impl *self, int op, void *arg);

  /* Called once with `user_data` when the policy is freed (may be NULL). */
  void (*release)(void *user_data);
};

#define REDRESS_POLICY_INIT {REDRESS_POLICY_VERSION, NULL, NULL, NULL, NULL, NULL, NULL}

/* redress_policy_init()
 *
 * Zeroes `impl` and sets its version. Fails for a version this library does
 * not know. */
REDRESS_EXTERN(int) redress_policy_init(redress_policy_impl *impl, unsigned int version);

/* redress_policy_new()
 *
 * A policy answered by `impl` (copied), falling back to `fallback` (not
 * consumed: the caller still frees it) for NULL methods, the settings and
 * the calendar. REDRESS_EINVALID_ARGUMENT for an unknown version or a NULL
 * fallback. If this call fails, `release` is not called. */
REDRESS_EXTERN(int) redress_policy_new(redress_policy **out, const redress_policy_impl *impl,
                                       const redress_policy *fallback);

/* redress_policy_control()
 *
 * Runs a host-defined operation. REDRESS_ENOTSUPPORTED for reserved
 * operations (below REDRESS_POLICY_CONTROL_USER), for policies without a
 * `control`, and whatever the host's `control` returns otherwise. */
REDRESS_EXTERN(int) redress_policy_control(const redress_policy *policy, int op, void *arg);

/* redress_policy_alloc()
 *
 * Memory the library will free: for text a policy method returns. NULL when
 * memory is exhausted. */
REDRESS_EXTERN(void *) redress_policy_alloc(size_t size);

REDRESS_END_DECL

#endif /* REDRESS_SYS_POLICY_H */
