-- sys.params: name=value arguments from `arg`, typed by the defaults.
local check = require("check")

local defaults = { A = 70, lr = 0.5, plain = false, out = "run", steps = 100 }

-- No arguments: a new table equal to the defaults.
arg = { [0] = "script.lua" }
local p = sys.params(defaults)
check.eq(p ~= defaults, true, "a new table")
check.eq(p.A, 70, "A"); check.eq(p.lr, 0.5, "lr"); check.eq(p.plain, false, "plain")
check.eq(p.out, "run", "out"); check.eq(p.steps, 100, "steps")

-- Each value takes its default's type: integer stays integer, float stays float.
arg = { [0] = "script.lua", "A=3", "lr=2", "plain=yes", "out=a=b c", "steps=1e3" }
p = sys.params(defaults)
check.eq(math.type(p.A), "integer", "A is an integer"); check.eq(p.A, 3, "A")
check.eq(math.type(p.lr), "float", "lr is a float"); check.eq(p.lr, 2.0, "lr")
check.eq(p.plain, true, "plain"); check.eq(p.out, "a=b c", "out keeps everything after the first =")
check.eq(math.type(p.steps), "integer", "steps from 1e3"); check.eq(p.steps, 1000, "steps")
check.eq(defaults.A, 70, "defaults untouched")

for text, want in pairs{ ["true"] = true, ["1"] = true, ["YES"] = true, ["false"] = false, ["0"] = false, ["no"] = false } do
  arg = { "plain=" .. text }
  check.eq(sys.params(defaults).plain, want, "boolean " .. text)
end
arg = { "lr=-1.5e-3" }
check.eq(sys.params(defaults).lr, -1.5e-3, "negative float")

-- Errors name the parameter and the bad value.
arg = { "B=1" }
check.raises("unknown parameter 'B'", sys.params, defaults)
arg = { "A=1.5" }
check.raises("bad value '1.5' for parameter 'A' (expected an integer", sys.params, defaults)
arg = { "lr=fast" }
check.raises("bad value 'fast' for parameter 'lr' (expected a number", sys.params, defaults)
arg = { "lr=nan" }
check.raises("bad value 'nan' for parameter 'lr'", sys.params, defaults)
arg = { "plain=maybe" }
check.raises("bad value 'maybe' for parameter 'plain' (expected true, false, 1, 0, yes or no", sys.params, defaults)
arg = { "A" }
check.raises("argument 1 'A' is not name=value", sys.params, defaults)
arg = { "=3" }
check.raises("is not name=value", sys.params, defaults)
arg = { "A=1", "A=2" }
check.raises("parameter 'A' given twice", sys.params, defaults)
arg = { 5 }
check.raises("arg[1] must be a name=value string, got number", sys.params, defaults)
arg = "x"
check.raises("'arg' is not a table", sys.params, defaults)
arg = nil
check.eq(sys.params(defaults).A, 70, "no arg table: defaults")
check.raises("table expected, got no value", sys.params)
check.raises("parameter names must be strings", sys.params, { 1 })
check.raises("default of 'f' must be a number, boolean or string, got function", sys.params, { f = print })
