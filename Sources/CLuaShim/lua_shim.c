#include "shim_private.h"
#include "memory_budget.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void arm_interrupt_at_every_instruction(lua_State *L);

/* Who is running. `running_state` is the thread of the innermost binding body (NULL outside
   any): a Lua callback kept by Swift runs on it, the one thread certain to be alive then.
   `swift_frames` says whether Swift frames are live under the code now running: true in a
   binding body and in Swift code outside any Lua call, false inside a lua_pcall made through
   dyn_pcall (Lua code, where an error unwinds only to that pcall). While it is true, Lua's
   allocator must not fail, since a failure would longjmp over the Swift frames. One interpreter
   thread at a time, so plain statics. */
static lua_State *running_state = NULL;
static int swift_frames = 1;

lua_State *dyn_running_state(void) { return running_state; }

int dyn_pcall(lua_State *L, int nargs, int nres, int msgh) {
  int outer = swift_frames;
  swift_frames = 0;
  int status = lua_pcall(L, nargs, nres, msgh);
  swift_frames = outer;
  return status;
}

/* Lua's allocator. Every block is accounted in the memory budget (memory_budget.h), so that
   `--max-memory` covers Lua's heap with tensor storage. Past the limit, or when malloc fails,
   it returns NULL, and Lua raises its "not enough memory" error, unless Swift frames are live:
   then the limit is passed over (by the few blocks a body pushes), and a failed malloc frees
   an emergency reserve and tries again. The reserve is taken back before the next binding body
   starts; if it cannot be, that call fails with "not enough memory" before any Swift runs. */
enum { RESERVE_BYTES = 16 << 20 };
static void *reserve = NULL;
static int limit_refused = 0;

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  size_t old = ptr ? osize : 0; /* for a new block, osize is the kind of object */
  if (nsize == 0) {
    free(ptr);
    dyn_budget_release(old);
    return NULL;
  }
  if (nsize <= old) {
    void *p = realloc(ptr, nsize);
    if (p == NULL) return ptr; /* keep the larger block: shrinking must not fail */
    dyn_budget_release(old - nsize);
    return p;
  }
  size_t grow = nsize - old;
  if (!dyn_budget_reserve(grow)) {
    if (!swift_frames) {
      limit_refused = 1;
      return NULL;
    }
    dyn_budget_force(grow);
  }
  void *p = realloc(ptr, nsize);
  if (p == NULL && swift_frames && reserve != NULL) {
    free(reserve);
    reserve = NULL;
    p = realloc(ptr, nsize);
  }
  if (p == NULL) dyn_budget_release(grow);
  return p;
}

int dyn_use_budget_allocator(lua_State *L) {
  if (reserve == NULL) reserve = malloc(RESERVE_BYTES);
  if (reserve == NULL) return 0;
  /* The blocks allocated so far (by luaL_newstate's allocator, also malloc/free) will be freed
     through this one: account them now. */
  size_t bytes = (size_t)lua_gc(L, LUA_GCCOUNT) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB);
  dyn_budget_force(bytes);
  lua_setallocf(L, budget_alloc, NULL);
  return 1;
}

int dyn_take_limit_refusal(void) {
  int r = limit_refused;
  limit_refused = 0;
  return r;
}

/* The one place where a Swift body's failure becomes a Lua error: no Swift frame is live here. */
static int dyn_trampoline(lua_State *L) {
  dyn_body body = (dyn_body)lua_touserdata(L, lua_upvalueindex(1));
  if (reserve == NULL && (reserve = malloc(RESERVE_BYTES)) == NULL) {
    /* The string is Lua's own preallocated message: pushing it allocates nothing. */
    lua_pushstring(L, "not enough memory");
    return lua_error(L);
  }
  lua_State *outer_state = running_state;
  int outer_frames = swift_frames;
  running_state = L;
  swift_frames = 1;
  int n = body(L);
  running_state = outer_state;
  swift_frames = outer_frames;
  /* A Ctrl-C that came during the body (a pooled convolution of a large batch, say) is raised
     at the caller's next instruction, not up to 1000 instructions (1000 such calls) later. */
  arm_interrupt_at_every_instruction(L);
  if (n >= 0) return n;
  if (n <= DYN_ARGERROR_BASE) {
    int arg = DYN_ARGERROR_BASE - n;
    return luaL_argerror(L, arg, lua_tostring(L, -1));
  }
  /* Prefix the position of the calling Lua code, as luaL_error does. */
  if (lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

void dyn_pushbody(lua_State *L, dyn_body body, int nup) {
  lua_pushlightuserdata(L, (void *)body);
  if (nup > 0) lua_insert(L, -(nup + 1));
  lua_pushcclosure(L, dyn_trampoline, nup + 1);
}

int dyn_traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Ctrl-C. The SIGINT handler only sets a flag (it never touches a Lua state: OpenBLAS and
   Foundation threads mean the handler may run beside the interpreter). A count hook, installed
   once per state and inherited by coroutines, polls the flag and raises "interrupted" from C.
   Once raised, the interrupt stays raised until dyn_clear_interrupt, so that a pcall in a loop
   cannot swallow it. The hook's cost is Lua's per-instruction hook check, not the count:
   see docs/cli.md for measurements. */
static volatile sig_atomic_t interrupt_flag = 0;
static volatile sig_atomic_t interrupt_raised = 0;

enum { HOOK_COUNT = 1000 };

static void interrupt_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  if (interrupt_flag) {
    interrupt_flag = 0;
    interrupt_raised = 1;
  }
  if (!interrupt_raised) {
    if (lua_gethookcount(L) != HOOK_COUNT) lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, HOOK_COUNT);
    return;
  }
  /* From now on check at every instruction: a pcall loop must not catch every raise. */
  lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, 1);
  luaL_where(L, 0);
  lua_pushstring(L, "interrupted");
  lua_concat(L, 2);
  lua_error(L);
}

/* A native loop that took the interrupt fails with "interrupted"; should a pcall catch that, the
   hook raises it again at the caller's next instruction, not up to 1000 instructions later (by
   which time a short script could have ended with status 0). A pending Ctrl-C, not yet taken,
   is raised there too. */
static void arm_interrupt_at_every_instruction(lua_State *L) {
  if (interrupt_raised || interrupt_flag) lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, 1);
}

void dyn_install_interrupt_hook(lua_State *L) {
  lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, HOOK_COUNT);
}
void dyn_request_interrupt(void) { interrupt_flag = 1; }
int dyn_interrupt_pending(void) { return interrupt_flag != 0; }
void dyn_clear_interrupt(void) { interrupt_flag = 0; interrupt_raised = 0; }
int dyn_take_interrupt(void) {
  if (!interrupt_flag && !interrupt_raised) return 0;
  interrupt_flag = 0;
  interrupt_raised = 1;
  return 1;
}
int dyn_interrupt_raised(void) { return interrupt_raised; }

lua_CFunction dyn_library_function(lua_State *L, int index) {
  lua_CFunction f = lua_tocfunction(L, index);
  if (f == NULL) return NULL;
  if (lua_getupvalue(L, index, 1) != NULL) {
    lua_pop(L, 1);
    return NULL;
  }
  return f;
}

/* os.exit after an interrupt (say from a finalizer, where hooks do not run) exits 130: once
   raised, an interrupt decides the exit status however the script ends. */
static lua_CFunction library_os_exit;

static int exit_after_interrupt(lua_State *L) {
  if (interrupt_raised) {
    if (lua_gettop(L) < 1) lua_settop(L, 1);
    lua_pushinteger(L, 130);
    lua_replace(L, 1);
  }
  return library_os_exit(L);
}

static int guard_exit(lua_State *L) {
  lua_getglobal(L, "os");
  lua_getfield(L, -1, "exit");
  lua_CFunction f = dyn_library_function(L, -1);
  lua_pop(L, 1);
  if (f != NULL && f != exit_after_interrupt) library_os_exit = f;
  if (library_os_exit == NULL) return luaL_error(L, "the os library has no 'exit'");
  lua_pushcfunction(L, exit_after_interrupt);
  lua_setfield(L, -2, "exit");
  return 0;
}

int dyn_guard_exit(lua_State *L) {
  lua_pushcfunction(L, guard_exit);
  return lua_pcall(L, 0, 0, 0);
}

/* The script's arguments as lua passes them: read from the global 'arg' when the script starts,
   so that -e code can change them. */
static int script_arguments(lua_State *L) {
  if (lua_getglobal(L, "arg") != LUA_TTABLE) return luaL_error(L, "'arg' is not a table");
  lua_Integer n = luaL_len(L, 1);
  if (n < 0) n = 0;
  if (n > 1000000 || !lua_checkstack(L, (int)n + 3)) return luaL_error(L, "too many arguments to script");
  for (lua_Integer i = 1; i <= n; i++) lua_rawgeti(L, 1, i);
  return (int)n;
}

int dyn_push_script_arguments(lua_State *L, int *count) {
  int base = lua_gettop(L);
  lua_pushcfunction(L, script_arguments);
  int status = lua_pcall(L, 0, LUA_MULTRET, 0);
  *count = status == LUA_OK ? lua_gettop(L) - base : 0;
  return status;
}

/* The interactive prompt: the global `name` through tostring, nothing when it is nil. */
int dyn_prompt_text(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  if (lua_getglobal(L, name) == LUA_TNIL) return 0;
  luaL_tolstring(L, -1, NULL);
  return 1;
}

static int open_libs(lua_State *L) {
  luaL_openlibs(L);
  return 0;
}
int dyn_openlibs(lua_State *L) {
  lua_pushcfunction(L, open_libs);
  return lua_pcall(L, 0, 0, 0);
}

static void on_sigint(int sig) {
  (void)sig;
  interrupt_flag = 1;
}

/* SA_RESETHAND: the first Ctrl-C sets the flag and puts back the default action, so that a
   second one kills the process at once (status 130 in the shell) even if the hook never gets to
   run, e.g. inside a long native call. */
static struct sigaction previous_sigint;
void dyn_install_sigint_handler(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &previous_sigint);
}
void dyn_restore_sigint_handler(void) { sigaction(SIGINT, &previous_sigint, NULL); }
