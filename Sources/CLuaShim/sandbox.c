/* The Lua side of dynlua --sandbox: the standard library functions that name files ask the path
   policy first (the same policy dynlua's own readers and writers ask, set from Swift), and those
   that run programs or load native code are gone. The library's own functions are called
   directly through C pointers kept here, never stored where a script could reach them (an
   upvalue or the registry), so a script cannot dig the unchecked versions out. Bytecode is off
   as well (chunk_loading.c). */
#include "shim_private.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static dyn_path_policy path_policy;

void dyn_set_path_policy(dyn_path_policy policy) { path_policy = policy; }

int dyn_path_refused(lua_State *L, int arg, int writing, const char *op) {
  if (path_policy == NULL) return 0;
  size_t length;
  const char *path = lua_tolstring(L, arg, &length);
  char reason[1024];
  if (path_policy(path, length, writing, reason, sizeof reason)) return 0;
  lua_pushfstring(L, "%s: %s", op, reason);
  return 1;
}

int dyn_push_file_failure(lua_State *L) {
  luaL_pushfail(L);
  lua_insert(L, -2);
  lua_pushinteger(L, EACCES);
  return 3;
}

/* The library functions wrapped below (the same for every state: they live in liblua). */
static lua_CFunction io_open, io_lines, io_input, io_output, os_remove, os_rename, os_tmpname;

/* io.open(name [, mode]): writing unless the mode is plain reading ("r", "rb"). */
static int sandboxed_io_open(lua_State *L) {
  luaL_checkstring(L, 1);
  const char *mode = luaL_optstring(L, 2, "r");
  int writing = mode[0] != 'r' || strchr(mode, '+') != NULL;
  if (dyn_path_refused(L, 1, writing, "io.open")) return dyn_push_file_failure(L);
  return io_open(L);
}

/* io.lines([name, ...]): only a file name is checked (no name: standard input). */
static int sandboxed_io_lines(lua_State *L) {
  if (!lua_isnoneornil(L, 1) && dyn_path_refused(L, 1, 0, "io.lines")) return lua_error(L);
  return io_lines(L);
}

/* io.input / io.output take a file name or an open file (checked only for a name). */
static int sandboxed_io_input(lua_State *L) {
  if (lua_type(L, 1) == LUA_TSTRING && dyn_path_refused(L, 1, 0, "io.input")) return lua_error(L);
  return io_input(L);
}

static int sandboxed_io_output(lua_State *L) {
  if (lua_type(L, 1) == LUA_TSTRING && dyn_path_refused(L, 1, 1, "io.output")) return lua_error(L);
  return io_output(L);
}

static int sandboxed_os_remove(lua_State *L) {
  luaL_checkstring(L, 1);
  if (dyn_path_refused(L, 1, 1, "os.remove")) return dyn_push_file_failure(L);
  return os_remove(L);
}

static int sandboxed_os_rename(lua_State *L) {
  luaL_checkstring(L, 1);
  luaL_checkstring(L, 2);
  if (dyn_path_refused(L, 1, 1, "os.rename") || dyn_path_refused(L, 2, 1, "os.rename"))
    return dyn_push_file_failure(L);
  return os_rename(L);
}

/* os.tmpname creates its file in the system's temporary directory: allowed only when that
   directory is (dynlua --sandbox --allow /tmp); otherwise the file is removed again. */
static int sandboxed_os_tmpname(lua_State *L) {
  int results = os_tmpname(L);
  if (dyn_path_refused(L, -1, 1, "os.tmpname")) {
    remove(lua_tostring(L, -2));
    return lua_error(L);
  }
  return results;
}

/* os.execute, io.popen, package.loadlib: upvalue 1 is the name. */
static int unavailable(lua_State *L) {
  return luaL_error(L, "%s is not available in the sandbox",
                    lua_tostring(L, lua_upvalueindex(1)));
}

static void make_unavailable(lua_State *L, const char *table, const char *field) {
  lua_getglobal(L, table);
  lua_pushfstring(L, "%s.%s", table, field);
  lua_pushcclosure(L, unavailable, 1);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

/* table[field] = wrapper, remembering the library's function in *original. */
static void wrap(lua_State *L, const char *table, const char *field, lua_CFunction *original,
                 lua_CFunction wrapper) {
  lua_getglobal(L, table);
  lua_getfield(L, -1, field);
  lua_CFunction f = dyn_library_function(L, -1);
  lua_pop(L, 1);
  if (f != NULL && f != wrapper) *original = f;
  if (*original == NULL) luaL_error(L, "the standard library has no C function %s.%s", table, field);
  lua_pushcfunction(L, wrapper);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

/* require keeps package.preload and Lua files; the searchers for C libraries go. */
static void keep_lua_searchers(lua_State *L) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchers");
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = n; i > 2; i--) {
    lua_pushnil(L);
    lua_rawseti(L, -2, i);
  }
  lua_pop(L, 2);
}

/* debug can rewrite any function's upvalues (dynlua's bindings keep a native pointer in one)
   and hands out the registry: only traceback and getinfo stay, in a new table that replaces
   the library's everywhere a script could find it. */
static void reduce_debug(lua_State *L) {
  lua_getglobal(L, "debug");
  lua_createtable(L, 0, 2);
  lua_getfield(L, -2, "traceback");
  lua_setfield(L, -2, "traceback");
  lua_getfield(L, -2, "getinfo");
  lua_setfield(L, -2, "getinfo");
  lua_pushvalue(L, -1);
  lua_setglobal(L, "debug");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_insert(L, -2);
  lua_setfield(L, -2, "debug");
  lua_pop(L, 2);
}

static int lock_down(lua_State *L) {
  wrap(L, "io", "open", &io_open, sandboxed_io_open);
  wrap(L, "io", "lines", &io_lines, sandboxed_io_lines);
  wrap(L, "io", "input", &io_input, sandboxed_io_input);
  wrap(L, "io", "output", &io_output, sandboxed_io_output);
  wrap(L, "os", "remove", &os_remove, sandboxed_os_remove);
  wrap(L, "os", "rename", &os_rename, sandboxed_os_rename);
  wrap(L, "os", "tmpname", &os_tmpname, sandboxed_os_tmpname);
  make_unavailable(L, "os", "execute");
  make_unavailable(L, "io", "popen");
  make_unavailable(L, "package", "loadlib");
  keep_lua_searchers(L);
  dyn_replace_searchpath(L);
  reduce_debug(L);
  return 0;
}

int dyn_enter_sandbox(lua_State *L) {
  int status = dyn_load_text_only(L);
  if (status != LUA_OK) return status;
  lua_pushcfunction(L, lock_down);
  return lua_pcall(L, 0, 0, 0);
}
