#ifndef DYN_TEMP_FILES_H
#define DYN_TEMP_FILES_H

/* Temporary files that must not outlive the process: the half-written files of atomic writes
   (a training log is one for the whole run). Registered paths are removed at exit() (Lua's
   os.exit included) and on SIGTERM or SIGHUP, from a handler that only calls unlink, which is
   async-signal-safe. SIGKILL cannot be caught: a file may remain after kill -9. */

/* Registers `path`; returns a slot number >= 0, or -1 when the path is too long or every slot
   is taken (the caller then refuses to write rather than risk a leftover file). */
int dyn_temp_register(const char *path);

/* Forgets slot `slot` (after the file was renamed into place or removed). */
void dyn_temp_unregister(int slot);

/* Removes every registered file now (also what the exit and signal paths do). */
void dyn_temp_remove_all(void);

#endif
