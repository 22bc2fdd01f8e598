#include "dyn_temp_files.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fixed storage, so that the signal handler reads plain memory: a slot's path is written
   first and `used` set after it, so the handler never sees a half-copied name. */
enum { SLOTS = 64 };
static char paths[SLOTS][PATH_MAX];
static volatile sig_atomic_t used[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int installed = 0;
static struct sigaction previous_term, previous_hup;

void dyn_temp_remove_all(void) {
  for (int i = 0; i < SLOTS; i++) {
    if (used[i]) {
      unlink(paths[i]);
      used[i] = 0;
    }
  }
}

static void on_exit_remove(void) { dyn_temp_remove_all(); }

/* Removes the files, then lets the signal do what it did before: an earlier handler runs,
   the default action ends the process with the signal's status. */
static void on_terminate(int sig) {
  dyn_temp_remove_all();
  struct sigaction *previous = sig == SIGTERM ? &previous_term : &previous_hup;
  if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN &&
      !(previous->sa_flags & SA_SIGINFO)) {
    previous->sa_handler(sig);
    return;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

static void install_once(void) {
  if (installed) return;
  installed = 1;
  atexit(on_exit_remove);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_terminate;
  sigemptyset(&sa.sa_mask);
  int sigs[2] = {SIGTERM, SIGHUP};
  struct sigaction *previous[2] = {&previous_term, &previous_hup};
  for (int k = 0; k < 2; k++) {
    /* A signal the process ignores (nohup) stays ignored. */
    sigaction(sigs[k], NULL, previous[k]);
    if (previous[k]->sa_handler != SIG_IGN) sigaction(sigs[k], &sa, previous[k]);
  }
}

int dyn_temp_register(const char *path) {
  size_t n = strlen(path);
  if (n >= PATH_MAX) return -1;
  pthread_mutex_lock(&lock);
  install_once();
  int slot = -1;
  for (int i = 0; i < SLOTS; i++) {
    if (!used[i]) {
      memcpy(paths[i], path, n + 1);
      __atomic_signal_fence(__ATOMIC_SEQ_CST);
      used[i] = 1;
      slot = i;
      break;
    }
  }
  pthread_mutex_unlock(&lock);
  return slot;
}

void dyn_temp_unregister(int slot) {
  if (slot >= 0 && slot < SLOTS) used[slot] = 0;
}
