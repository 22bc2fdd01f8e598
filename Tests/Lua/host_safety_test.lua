-- Every function of every dynlua metatable (metamethods, methods, custom __index) called with
-- values of the wrong kind: a foreign userdata (io.stdout), another dynlua type, and plain
-- values. Each call must return or raise a Lua error; before the fix, `__gc(io.stdout)`
-- released the FILE* as if it were a Swift object and the process died.
local check = require "check"

local samples = {
  tensor.zeros(2), nn.Linear(2, 2), nn.MSELoss(), optim.SGD(nn.Linear(1, 1), {lr = 0.1}),
  schedule.constant(2), plot.figure(), data.batches(tensor.zeros(2, 1), tensor.ones(2), {batch_size = 1}),
}
local foreign = { io.stdout, {}, 1, "x", true, print }
for _, s in ipairs(samples) do foreign[#foreign + 1] = s end

local names, calls = {}, 0
for name, mt in pairs(debug.getregistry()) do
  if type(name) == "string" and name:sub(1, 7) == "dynlua." and type(mt) == "table" then
    names[#names + 1] = name
    local functions = {}
    for k, f in pairs(mt) do if type(f) == "function" then functions[k] = f end end
    if type(mt.__index) == "table" then
      for k, f in pairs(mt.__index) do if type(f) == "function" then functions["." .. k] = f end end
    end
    for key, f in pairs(functions) do
      for _, v in ipairs(foreign) do
        if getmetatable(v) ~= mt then
          calls = calls + 1
          pcall(f, v)
          pcall(f, v, "weight")
        end
      end
      pcall(f)
    end
  end
end
table.sort(names)
check.eq(#names >= 6, true, "dynlua metatables found (" .. table.concat(names, ", ") .. ")")
check.eq(calls > 100, true, "calls made")

-- A foreign userdata given a dynlua metatable with debug.setmetatable (a file handle) is still
-- not taken for a dynlua object.
local f = io.tmpfile()
local file_mt = getmetatable(f)
local given = 0
for _, s in ipairs(samples) do
  local mt = getmetatable(s)
  if type(s) ~= "userdata" then goto next end
  given = given + 1
  debug.setmetatable(f, mt)
  pcall(mt.__gc, f)
  pcall(mt.__close, f)
  pcall(tostring, f)
  if type(mt.__index) == "function" then pcall(mt.__index, f, "shape") end
  if type(mt.__index) == "table" then for _, m in pairs(mt.__index) do pcall(m, f) end end
  ::next::
end
check.eq(given, 6, "metatables given to the file")
debug.setmetatable(f, file_mt)
check.eq(f:write("still a file"), f, "the file handle survived")
f:close()

-- The foreign values are untouched and every sample still works.
check.eq(io.stdout:write(""), io.stdout, "io.stdout still open")
check.eq(samples[1]:sum(), 0, "tensor intact")
check.eq(samples[2]:forward(tensor.zeros(1, 2)):dim(), 2, "module intact")
collectgarbage()
collectgarbage()
