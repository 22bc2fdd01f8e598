/* The parts of Lua's debug library that let a script crash the process are refused (plain lua
   crashes on them too: debug.setupvalue(string.gmatch("", ""), 3, 5) and calling the result
   segfaults). Native code trusts what it put in a C function's upvalues, in a C frame's stack
   slots, in a userdata's metatable and user values, and in the registry; a script that rewrites
   those makes it read one object as another. Everything else in debug works as in Lua, and
   these functions still work on what Lua code owns (a Lua function's upvalues, a Lua frame's
   locals, the metatable of a non-userdata type). The library's functions are called directly
   through C pointers, never kept where a script could reach them. */
#include "shim_private.h"

static lua_CFunction library_setupvalue, library_setmetatable, library_setlocal;

static int guarded_setupvalue(lua_State *L) {
  if (lua_iscfunction(L, 1))
    return luaL_error(L, "debug.setupvalue: cannot change the upvalues of a C function "
                         "(native code relies on them)");
  return library_setupvalue(L);
}

static int guarded_setmetatable(lua_State *L) {
  if (lua_type(L, 1) == LUA_TUSERDATA)
    return luaL_error(L, "debug.setmetatable: cannot change the metatable of a userdata "
                         "(it tells native code what the value is)");
  return library_setmetatable(L);
}

/* debug.setlocal([thread,] level, n, value): refused in a C function's frame, whose stack
   slots hold what the native function is working on. */
static int guarded_setlocal(lua_State *L) {
  int arg = lua_type(L, 1) == LUA_TTHREAD ? 1 : 0;
  lua_State *thread = arg ? lua_tothread(L, 1) : L;
  lua_Debug ar;
  if (lua_getstack(thread, (int)luaL_checkinteger(L, arg + 1), &ar) && lua_getinfo(thread, "S", &ar) &&
      ar.what[0] == 'C')
    return luaL_error(L, "debug.setlocal: cannot change the stack of a C function "
                         "(native code relies on it)");
  return library_setlocal(L);
}

/* debug.setuservalue and debug.getregistry: no safe use is left (every userdata and the
   registry belong to native code), so they raise. Upvalue 1 is the name. */
static int refused(lua_State *L) {
  return luaL_error(L, "%s is not available in dynlua (native code relies on what it would change)",
                    lua_tostring(L, lua_upvalueindex(1)));
}

static void guard(lua_State *L, const char *field, lua_CFunction *original, lua_CFunction wrapper) {
  lua_getfield(L, -1, field);
  lua_CFunction f = dyn_library_function(L, -1);
  lua_pop(L, 1);
  if (f != NULL && f != wrapper) *original = f;
  if (*original == NULL) luaL_error(L, "the debug library has no C function '%s'", field);
  lua_pushcfunction(L, wrapper);
  lua_setfield(L, -2, field);
}

static void refuse(lua_State *L, const char *field) {
  lua_pushfstring(L, "debug.%s", field);
  lua_pushcclosure(L, refused, 1);
  lua_setfield(L, -2, field);
}

static int install(lua_State *L) {
  if (lua_getglobal(L, "debug") != LUA_TTABLE) return 0;
  guard(L, "setupvalue", &library_setupvalue, guarded_setupvalue);
  guard(L, "setmetatable", &library_setmetatable, guarded_setmetatable);
  guard(L, "setlocal", &library_setlocal, guarded_setlocal);
  refuse(L, "setuservalue");
  refuse(L, "getregistry");
  return 0;
}

int dyn_guard_debug(lua_State *L) {
  lua_pushcfunction(L, install);
  return lua_pcall(L, 0, 0, 0);
}
