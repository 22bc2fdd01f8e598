/* The process's memory budget: bytes held by tensor storage (and everything built of it: models,
   optimizer state, checkpoints) and by Lua's heaps, against an optional limit
   (`dynlua --max-memory`). A plain C counter so that both Swift (DynCore's Storage) and the C
   allocator given to Lua (lua_shim.c) account into the same total. */
#ifndef DYNLUA_MEMORY_BUDGET_H
#define DYNLUA_MEMORY_BUDGET_H

#include <stddef.h>

/* 0: no limit (the default). */
void dyn_budget_set_limit(size_t bytes);
size_t dyn_budget_limit(void);
/* Bytes currently accounted. */
size_t dyn_budget_used(void);

/* Accounts `bytes` if the total stays within the limit; returns 0 (and accounts nothing) if not. */
int dyn_budget_reserve(size_t bytes);
/* Accounts `bytes` whatever the limit (Lua allocations made while a Swift body runs, which must
   not fail: see lua_shim.c). */
void dyn_budget_force(size_t bytes);
void dyn_budget_release(size_t bytes);

#endif
