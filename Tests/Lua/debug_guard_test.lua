local check = require "check"
-- The debug functions that would let a script crash the process raise instead; what Lua code
-- owns stays changeable.

-- Upvalues: a binding's first upvalue is its native body; gmatch's third is its C state.
check.raises("debug.setupvalue: cannot change the upvalues of a C function", debug.setupvalue, tensor.zeros, 1, 5)
local it = string.gmatch("a b", "%a")
check.raises("debug.setupvalue: cannot change the upvalues of a C function", debug.setupvalue, it, 3, 5)
check.eq(it(), "a", "gmatch after the refused change")
local x = 1
local function f() return x end
check.eq(debug.setupvalue(f, 1, 41), "x", "a Lua function's upvalue name")
check.eq(f() + x, 82, "a Lua function's upvalue")

-- Metatables: a userdata's tells native code what it is.
local t, m = tensor.zeros(2, 2), nn.Linear(2, 2)
check.raises("debug.setmetatable: cannot change the metatable of a userdata", debug.setmetatable, t, getmetatable(m))
check.raises("debug.setmetatable: cannot change the metatable of a userdata", debug.setmetatable, io.stdout, getmetatable(t))
check.eq(t:sum(), 0, "the tensor after the refused change")
check.eq(debug.setmetatable(10, { __index = { twice = function(n) return 2 * n end } }), 10, "setmetatable returns its value")
check.eq((21):twice(), 42, "a number metatable set through debug")
debug.setmetatable(10, nil)

-- Locals: a C function's stack slots are its working state (level 1 from debug.setlocal here is
-- the pcall inside check.raises, holding the function it runs); a Lua function's locals change
-- as in Lua.
local function in_pcall()
  check.raises("debug.setlocal: cannot change the stack of a C function", debug.setlocal, 1, 1, "junk")
  local y = 1
  debug.setlocal(1, 1, 5)
  return y
end
check.eq(select(2, pcall(in_pcall)), 5, "a Lua local")

-- No safe use left.
check.raises("debug.setuservalue is not available in dynlua", debug.setuservalue, t, {}, 1)
check.raises("debug.getregistry is not available in dynlua", debug.getregistry)
