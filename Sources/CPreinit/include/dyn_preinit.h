/* Nothing to call: preinit.c only places a function in the executable's .preinit_array. */
