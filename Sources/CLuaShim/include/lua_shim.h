/* The C side of the binding layer: trampolines that turn a Swift body's error sentinel into a
   Lua error after the Swift frames are gone, and static inline versions of Lua's macros (Swift
   cannot import function-like macros or call variadic functions). */
#ifndef DYNLUA_LUA_SHIM_H
#define DYNLUA_LUA_SHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

/* A Swift body returns the number of results (>= 0), DYN_ERROR with the message on top of the
   stack, or DYN_ARGERROR_BASE - arg for a bad argument #arg (message on top). It never raises. */
typedef int (*dyn_body)(lua_State *L);
#define DYN_ERROR (-1)
#define DYN_ARGERROR_BASE (-100)

/* Pushes a Lua function that runs body; nup upvalues are taken from the stack first and are
   reachable from the body as upvalues 2..nup+1 (upvalue 1 holds the body itself). */
void dyn_pushbody(lua_State *L, dyn_body body, int nup);

/* Message handler for lua_pcall: appends a traceback to string messages. */
int dyn_traceback(lua_State *L);

/* Interrupt support (Ctrl-C): the signal handler only sets a flag; a count hook installed
   once per state polls it and raises "file:line: interrupted" from C, again at every
   instruction until dyn_clear_interrupt (the start of the next chunk), so pcall cannot
   swallow it. */
void dyn_install_interrupt_hook(lua_State *L);
void dyn_request_interrupt(void);
int dyn_interrupt_pending(void);
void dyn_clear_interrupt(void);
/* For native loops: if an interrupt is pending (or already raised), mark it raised and return 1;
   the caller then fails with an "interrupted" error. */
int dyn_take_interrupt(void);
/* Whether the last error came from an interrupt (the executable exits 130 then). */
int dyn_interrupt_raised(void);
/* luaL_openlibs under lua_pcall, so that a failure cannot unwind through Swift. */
int dyn_openlibs(lua_State *L);
/* While a chunk runs: the first SIGINT sets the flag, a second one kills the process. */
void dyn_install_sigint_handler(void);
void dyn_restore_sigint_handler(void);

/* os.exit exits 130 once an interrupt was raised (under lua_pcall; returns its status). */
int dyn_guard_exit(lua_State *L);

/* Pushes the script's arguments, arg[1] .. arg[#arg], read from the global 'arg' as lua does
   when the script starts, and stores their number in *count. On failure ("'arg' is not a
   table") the message is on top instead; returns the lua_pcall status. */
int dyn_push_script_arguments(lua_State *L, int *count);

/* A Lua function: tostring(_G[name]) for the interactive prompt, no result when it is nil. */
int dyn_prompt_text(lua_State *L);

/* Refuses the debug functions that can crash the process (see debug_guard.c): setupvalue on C
   functions, setmetatable on userdata, setlocal in C frames, setuservalue, getregistry. Runs
   under lua_pcall; returns its status. */
int dyn_guard_debug(lua_State *L);

/* Text-only chunks (see chunk_loading.c): load, loadfile, dofile and require's Lua searcher
   refuse binary chunks. Runs under lua_pcall; returns its status. */
int dyn_load_text_only(lua_State *L);
/* Replaces Lua's "attempt to load a binary chunk" message on top with one that says why. */
void dyn_explain_binary_refusal(lua_State *L);

/* The file policy of dynlua --sandbox, set from Swift: returns 1 when `path` (length bytes,
   maybe with NUL bytes) may be used, else 0 with the reason written into `reason` (at most
   `capacity` bytes with the terminating NUL). It must not raise. NULL: everything allowed. */
typedef int (*dyn_path_policy)(const char *path, size_t length, int writing, char *reason,
                               size_t capacity);
void dyn_set_path_policy(dyn_path_policy policy);
/* Text-only chunks plus: io.open, io.lines, io.input, io.output, os.remove, os.rename,
   os.tmpname, loadfile, dofile and require ask the policy; os.execute, io.popen,
   package.loadlib and the C searchers are gone; debug keeps traceback and getinfo only.
   Runs under lua_pcall; returns its status. */
int dyn_enter_sandbox(lua_State *L);

/* "Lua 5.4.x": a concatenated string macro that Swift cannot import. */
static inline const char *dyn_lua_release(void) { return LUA_RELEASE; }

static inline int dyn_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int dyn_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline void dyn_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void dyn_newtable(lua_State *L) { lua_newtable(L); }
static inline const char *dyn_tostring(lua_State *L, int i) { return lua_tolstring(L, i, NULL); }
static inline int dyn_isnoneornil(lua_State *L, int i) { return lua_type(L, i) <= 0; }
static inline int dyn_pcall(lua_State *L, int nargs, int nres, int msgh) {
  return lua_pcall(L, nargs, nres, msgh);
}
static inline void *dyn_newuserdata(lua_State *L, size_t size, int nuv) {
  return lua_newuserdatauv(L, size, nuv);
}
static inline void dyn_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void dyn_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void dyn_replace(lua_State *L, int i) { lua_replace(L, i); }
/* Tells the collector that n kilobytes were allocated outside Lua (tensor storage), so that a
   loop making temporaries runs cycles in proportion to the memory it really uses. */
static inline void dyn_gc_step(lua_State *L, int kilobytes) { lua_gc(L, LUA_GCSTEP, kilobytes); }
static inline void dyn_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
static inline int dyn_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT); }
static inline int dyn_loadstring(lua_State *L, const char *s, const char *name) {
  return luaL_loadbufferx(L, s, strlen(s), name, "t");
}
static inline void dyn_setmetatable_named(lua_State *L, const char *name) {
  luaL_setmetatable(L, name);
}
static inline int dyn_getmetatable_named(lua_State *L, const char *name) {
  return luaL_getmetatable(L, name);
}

#endif
