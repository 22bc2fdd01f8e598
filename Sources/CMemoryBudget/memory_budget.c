#include "memory_budget.h"
#include <stdatomic.h>

/* Atomics: tensor storage may be freed on another thread than the one running Lua. */
static _Atomic size_t limit = 0;
static _Atomic size_t used = 0;

void dyn_budget_set_limit(size_t bytes) { atomic_store(&limit, bytes); }
size_t dyn_budget_limit(void) { return atomic_load(&limit); }
size_t dyn_budget_used(void) { return atomic_load(&used); }

int dyn_budget_reserve(size_t bytes) {
  size_t cap = atomic_load(&limit);
  size_t now = atomic_load(&used);
  do {
    if (cap != 0 && (bytes > cap || now > cap - bytes)) return 0;
  } while (!atomic_compare_exchange_weak(&used, &now, now + bytes));
  return 1;
}

void dyn_budget_force(size_t bytes) { atomic_fetch_add(&used, bytes); }
void dyn_budget_release(size_t bytes) { atomic_fetch_sub(&used, bytes); }
