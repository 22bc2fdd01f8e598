/* Shared between the C files of CLuaShim; not visible to Swift. */
#ifndef DYNLUA_SHIM_PRIVATE_H
#define DYNLUA_SHIM_PRIVATE_H

#include "lua_shim.h"

/* The C function at `index` when it is one without upvalues (as the standard library's are),
   so that a wrapper may call it directly on its own stack; else NULL. */
lua_CFunction dyn_library_function(lua_State *L, int index);

/* If the path at stack index `arg` (a string) is refused by the path policy, pushes
   "op: reason" and returns 1; returns 0 (pushing nothing) when it is allowed or no policy is
   set. */
int dyn_path_refused(lua_State *L, int arg, int writing, const char *op);

/* Lua's convention for a failed file operation: nil, message, error number. Expects the
   message on top; returns the number of results. */
int dyn_push_file_failure(lua_State *L);

/* A policy-aware version of package.searchpath: pushes the first readable, allowed file that
   `name` gives in `path` (templates separated by ';', '?' replaced by name after `sep` in name
   became `rep`) and returns it; else pushes a "no file '...'" list and returns NULL. */
const char *dyn_search_path(lua_State *L, const char *name, const char *path, const char *sep,
                            const char *rep);

/* package.searchpath under the path policy (sandbox). May raise (memory). */
void dyn_replace_searchpath(lua_State *L);

#endif
