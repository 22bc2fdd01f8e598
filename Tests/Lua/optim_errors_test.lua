local check = require "check"
-- Optimizers need an nn module; until nn is merged, these check the argument errors.
-- Update rules are tested in Tests/DynCoreTests/OptimTests.swift; Lua-level updates in
-- optim_lua_test.lua.pending.
check.raises("bad argument #1 to 'optim.SGD' (module expected, got nil)", optim.SGD, nil, {lr=0.1})
check.raises("bad argument #1 to 'optim.SGD' (module expected, got tensor)", optim.SGD, tensor.zeros(2), {lr=0.1})
check.raises("bad argument #1 to 'optim.Adam' (module expected, got table)", optim.Adam, {}, {lr=0.1})
check.eq(optim.is_optimizer(42), false, "is_optimizer")
