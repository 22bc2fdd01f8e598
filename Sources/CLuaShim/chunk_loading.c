/* Text-only chunk loading. Lua trusts binary chunks (string.dump's output) without checking
   them, so a corrupted or crafted one can crash the interpreter. dynlua therefore loads text
   only unless it runs with --bytecode: load, loadfile, dofile and require's searcher for Lua
   files are replaced by versions that refuse binary chunks. The replacements also consult the
   path policy (dynlua --sandbox) before they open a file. */
#include "shim_private.h"
#include <stdio.h>
#include <string.h>

static const char binary_refusal[] = "attempt to load a binary chunk";

void dyn_explain_binary_refusal(lua_State *L) {
  const char *message = lua_tostring(L, -1);
  if (message == NULL || strncmp(message, binary_refusal, sizeof binary_refusal - 1) != 0) return;
  lua_pop(L, 1);
  lua_pushstring(L, "cannot load a binary chunk: dynlua loads text chunks only "
                    "(--bytecode allows binary ones, outside --sandbox)");
}

/* The mode a caller asked for ("bt" when absent), without 'b'. NULL when nothing is left: the
   caller asked for binary chunks only. */
static const char *text_part_of_mode(lua_State *L, int arg, int *asked_binary) {
  const char *mode = luaL_optstring(L, arg, "bt");
  *asked_binary = strchr(mode, 'b') != NULL;
  return strchr(mode, 't') != NULL ? "t" : NULL;
}

static int refuse_binary_only(lua_State *L) {
  luaL_pushfail(L);
  lua_pushstring(L, binary_refusal);
  dyn_explain_binary_refusal(L);
  return 2;
}

/* load(chunk [, chunkname [, mode [, env]]]): Lua's own load, called with the mode reduced to
   text. It is a plain C function of the library, so calling it directly keeps it out of reach
   of scripts (it is no upvalue that debug.getupvalue could return). */
static lua_CFunction library_load;

static int text_only_load(lua_State *L) {
  int asked_binary;
  const char *mode = text_part_of_mode(L, 3, &asked_binary);
  if (mode == NULL) return refuse_binary_only(L);
  if (lua_gettop(L) < 3) lua_settop(L, 3);  /* an absent env (argument 4) stays absent */
  lua_pushstring(L, mode);
  lua_replace(L, 3);
  int results = library_load(L);
  if (asked_binary && results == 2 && lua_isnil(L, -2)) dyn_explain_binary_refusal(L);
  return results;
}

/* Sets the first upvalue of the loaded function (its _ENV) to the value at env, as load does. */
static void set_environment(lua_State *L, int env) {
  lua_pushvalue(L, env);
  if (lua_setupvalue(L, -2, 1) == NULL) lua_pop(L, 1);
}

/* loadfile([filename [, mode [, env]]]) */
static int text_only_loadfile(lua_State *L) {
  const char *name = luaL_optstring(L, 1, NULL);
  int asked_binary;
  const char *mode = text_part_of_mode(L, 2, &asked_binary);
  int env = lua_isnone(L, 3) ? 0 : 3;
  if (mode == NULL) return refuse_binary_only(L);
  if (name != NULL && dyn_path_refused(L, 1, 0, "loadfile")) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (luaL_loadfilex(L, name, mode) != LUA_OK) {
    if (asked_binary) dyn_explain_binary_refusal(L);
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (env != 0) set_environment(L, env);
  return 1;
}

/* dofile([filename]): every result of the chunk (also after it yields). */
static int dofile_results(lua_State *L, int status, lua_KContext context) {
  (void)status;
  (void)context;
  return lua_gettop(L) - 1;
}

static int text_only_dofile(lua_State *L) {
  const char *name = luaL_optstring(L, 1, NULL);
  lua_settop(L, 1);
  if (name != NULL && dyn_path_refused(L, 1, 0, "dofile")) return lua_error(L);
  if (luaL_loadfilex(L, name, "t") != LUA_OK) {
    dyn_explain_binary_refusal(L);
    return lua_error(L);
  }
  lua_callk(L, 0, LUA_MULTRET, 0, dofile_results);
  return dofile_results(L, LUA_OK, 0);
}

/* Does `file` exist and open for reading? */
static int readable(const char *file) {
  FILE *f = fopen(file, "r");
  if (f == NULL) return 0;
  fclose(f);
  return 1;
}

const char *dyn_search_path(lua_State *L, const char *name, const char *path, const char *sep,
                            const char *rep) {
  int base = lua_gettop(L);
  if (*sep != '\0' && strchr(name, *sep) != NULL) name = luaL_gsub(L, name, sep, rep);
  lua_pushliteral(L, "");  /* the files tried, each as "\n\tno file '...'" */
  int tried = lua_gettop(L);
  for (const char *start = path;; ) {
    const char *end = strchr(start, *LUA_PATH_SEP);
    size_t length = end != NULL ? (size_t)(end - start) : strlen(start);
    if (length > 0) {
      lua_pushlstring(L, start, length);
      const char *candidate = luaL_gsub(L, lua_tostring(L, -1), LUA_PATH_MARK, name);
      lua_remove(L, -2);
      const char *why = "";
      if (dyn_path_refused(L, -1, 0, "require")) {
        lua_pop(L, 1);  /* the reason */
        why = " (not allowed by the sandbox)";
      } else if (readable(candidate)) {
        lua_replace(L, base + 1);
        lua_settop(L, base + 1);
        return lua_tostring(L, -1);
      }
      lua_pushfstring(L, "%s\n\tno file '%s'%s", lua_tostring(L, tried), candidate, why);
      lua_replace(L, tried);
      lua_pop(L, 1);  /* the candidate */
    }
    if (end == NULL) break;
    start = end + 1;
  }
  const char *list = lua_tostring(L, tried);
  lua_pushstring(L, strncmp(list, "\n\t", 2) == 0 ? list + 2 : list);  /* as Lua lists them */
  lua_replace(L, base + 1);
  lua_settop(L, base + 1);
  return NULL;
}

/* package.searchpath(name, path [, sep [, rep]]) under the path policy. */
static int policy_searchpath(lua_State *L) {
  const char *found = dyn_search_path(L, luaL_checkstring(L, 1), luaL_checkstring(L, 2),
                                      luaL_optstring(L, 3, "."), luaL_optstring(L, 4, LUA_DIRSEP));
  if (found != NULL) return 1;
  luaL_pushfail(L);
  lua_insert(L, -2);
  return 2;
}

/* require's searcher for Lua files (upvalue 1: the package table), text chunks only. */
static int text_only_lua_searcher(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  lua_getfield(L, lua_upvalueindex(1), "path");
  const char *path = lua_tostring(L, -1);
  if (path == NULL) return luaL_error(L, "'package.path' must be a string");
  const char *file = dyn_search_path(L, name, path, ".", LUA_DIRSEP);
  if (file == NULL) return 1;  /* the list of files tried */
  if (luaL_loadfilex(L, file, "t") != LUA_OK) {
    dyn_explain_binary_refusal(L);
    return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file,
                      lua_tostring(L, -1));
  }
  lua_pushstring(L, file);  /* the second argument of the module's main chunk */
  return 2;
}

/* package.searchers[2] = the text-only searcher; the table keeps its other searchers. */
static void replace_lua_searcher(lua_State *L) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchers");
  lua_pushvalue(L, -2);
  lua_pushcclosure(L, text_only_lua_searcher, 1);
  lua_rawseti(L, -2, 2);
  lua_pop(L, 2);
}

static void remember_library_load(lua_State *L) {
  lua_getglobal(L, "load");
  lua_CFunction f = dyn_library_function(L, -1);
  lua_pop(L, 1);
  if (f != NULL && f != text_only_load) library_load = f;
  if (library_load == NULL) luaL_error(L, "the base library has no 'load'");
}

static int install_text_only(lua_State *L) {
  remember_library_load(L);
  lua_pushcfunction(L, text_only_load);
  lua_setglobal(L, "load");
  lua_pushcfunction(L, text_only_loadfile);
  lua_setglobal(L, "loadfile");
  lua_pushcfunction(L, text_only_dofile);
  lua_setglobal(L, "dofile");
  replace_lua_searcher(L);
  return 0;
}

int dyn_load_text_only(lua_State *L) {
  lua_pushcfunction(L, install_text_only);
  return lua_pcall(L, 0, 0, 0);
}

/* For the sandbox: a searchpath that cannot tell whether files outside it exist. */
void dyn_replace_searchpath(lua_State *L) {
  lua_getglobal(L, "package");
  lua_pushcfunction(L, policy_searchpath);
  lua_setfield(L, -2, "searchpath");
  lua_pop(L, 1);
}
