-- The fuzz generator: hostile calls of every function, method and metamethod dynlua exposes,
-- each under pcall. Run by scripts/fuzz (and FuzzTests) in a child process under a memory and
-- time limit, in a scratch directory (saves land there):
--
--   dynlua fuzz.lua SEED FIRST COUNT LOG
--
-- runs calls FIRST .. FIRST+COUNT-1 of SEED. Call i draws everything from math.randomseed(SEED, i),
-- so it is reproduced by running from FIRST = i (global state, such as tensor.seed, carries over
-- from earlier calls of the same process only). Before each call its number and a description go
-- to LOG, flushed, so the driver can name the call a dying process was in. The last line of a
-- finished run is "done CALLS OK ERRORS" and then the names never called ("uncovered NAME").
--
local seed, first, count, logpath = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3]), arg[4]
assert(seed and first and count and logpath, "usage: fuzz.lua SEED FIRST COUNT LOG")
local log = assert(io.open(logpath, "w"))
local R = math.random

local function pick(list) return list[R(#list)] end

-- Values ---------------------------------------------------------------------------------------

local numbers = { 0, 1, 2, 3, -1, 0.5, -0.0, 1.5, 1 / 0, -1 / 0, 0 / 0, 1e-320, 7, 64 }
-- Huge magnitudes reach every size, count and seed a script controls (each must be a Lua error).
local huge = { math.maxinteger, math.mininteger, 2 ^ 31, 2 ^ 53, 2 ^ 63, 1e308, -2 ^ 31, 2 ^ 28, 1e6 }
for _, v in ipairs(huge) do numbers[#numbers + 1] = v end

local strings = { "", "a", "float32", "float64", "ab\0cd", "x.npy", "m.dynlua", "nosuchdir/x.npy", "run.csv",
                  "f.svg", "relu", "sum", "__gc", "glorot_normal", "train", "test", "exact", "differences", "auto" }

local keys = { "lr", "steps", "x", "y", "model", "loss", "optimizer", "weights", "batch_size", "seed", "classes",
               "per_class", "amplitude", "period", "k", "iters", "starts", "every", "on_step", "bias", "init",
               "momentum", "betas", "eps", "normalize", "static_after", "fraction", "shuffle", "noise", "log",
               "progress", "validation", "analysis", "header", "label_column", "rows", "cols", "width",
               "height", "title", "on_nonfinite", "grid", "sigma", "nesterov", "weight_decay", "revolutions",
               "checkpoint", "resume", "on_checkpoint", "on_resume", "path", "duty", "shape", "warmup", "final",
               "gamma", "milestones", "augment", "crop", "flip", "eval_every", "method" }

local value, recurse  -- forward: value(depth); recurse(...) calls a random target from a callback
local callbacks      -- forward: the Lua functions handed to the API (losses and layers written in Lua call them too)

local function tensors()
  return {
    function() return tensor.randn(3, 2) end,
    function() return tensor.randn(4) end,
    function() return tensor.zeros(0) end,
    function() return tensor.zeros(2, 0) end,
    function() return tensor.new(2.5) end,
    function() return tensor.randn(2, 3, "float32") end,
    function() return tensor.randn(2, 3, 2) end,
    function() return tensor.randn(2, 1, 4, 4) end,                 -- images for the conv layers
    function() return tensor.randn(3, 4):t() end,
    function() return tensor.randn(5, 3):narrow(1, 2, 2) end,
    function() return tensor.new{ 1, 2, 3 } end,
    function() return tensor.new{ { 1, 0 / 0 }, { 1 / 0, -1 } } end,
    function() return tensor.new{ 1, 0, 1 } end,                 -- masks and 1-based labels
    function() return tensor.new{ { 0, 1 }, { 1, 1 }, { 0, 0 } } end,
    function() return tensor.new{ { 2 }, { 1 }, { 3 } } end,
    function() local t = tensor.randn(2, 2); getmetatable(t).__close(t); return t end,
    function()  -- a view whose base went out of scope and was collected
      local v = tensor.randn(6, 2):narrow(1, 2, 3); collectgarbage(); return v
    end,
  }
end

local function net()
  return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3))
end

-- A small convolutional network on (N, 1, 4, 4) images.
local function cnn()
  return nn.Sequential(nn.Conv2d(1, 2, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2), nn.AvgPool2d(2, 1),
                       nn.Flatten(), nn.Linear(2, 3))
end

-- The same with batch normalization, dropout and a global average pool.
local function normcnn()
  return nn.Sequential(nn.Conv2d(1, 3, 3, { padding = 1 }), nn.BatchNorm2d(3), nn.ReLU(), nn.Dropout(0.3),
                       nn.GlobalAvgPool2d(), nn.Linear(3, 3))
end

local makers = {
  nn = function()
    return pick{ net, function() return nn.Linear(2, 3) end, function() return nn.ReLU() end,
                 function() return nn.Sequential(nn.Linear(3, 9), nn.Tanh(), nn.Linear(9, 2)) end,
                 function() return nn.Softmax() end, function() return nn.LogSoftmax() end,
                 function() local m = net(); getmetatable(m).__close(m); return m end,
                 cnn, function() return nn.Conv2d(1, 2, { 2, 1 }, { stride = 2 }) end, function() return nn.Flatten() end,
                 normcnn, function() return nn.BatchNorm2d(1) end, function() return nn.Dropout(0.5) end,
                 function() return nn.GlobalAvgPool2d() end, function() local m = normcnn(); m:evaluate(); return m end,
                 -- Layers written in Lua: well-behaved, failing, and calling anything.
                 function() return nn.Lambda(function(x) return x:tanh() end) end,
                 function() return nn.Module{ name = "Scale", parameters = { w = tensor.ones(3) }, forward = function(self, x) return x * self.w end } end,
                 function() return nn.Sequential(nn.Linear(2, 3), nn.Lambda(function(x) return x * 2 end, { name = "Twice" })) end,
                 function() return nn.Lambda(function() error("layer fails") end) end,
                 function() return nn.Lambda(function(...) return pick(callbacks)(...) end) end }()
  end,
  loss = function()
    return pick{ function() return nn.CrossEntropyLoss() end, function() return nn.MSELoss() end,
                 function() return nn.CrossEntropyLoss{ weights = { 1, 2, 3 } } end,
                 -- Losses written in Lua: a weighted cross-entropy, non-scalar, failing, calling anything.
                 function() return nn.Loss(function(o, l, w) return -(o:log_softmax(2):gather(2, l:view(-1, 1)):view(-1) * w:index(1, l)):mean() end) end,
                 function() return nn.Loss(function(o) return o end) end,
                 function() return nn.Loss(function() error("loss fails") end) end,
                 function() return nn.Loss(function(...) return pick(callbacks)(...) end) end }()
  end,
  optim = function()
    return pick{ function() return optim.SGD(net(), { lr = 0.1 }) end,
                 function() return optim.Adam(net(), { lr = 0.01 }) end,
                 function() return optim.SGD(net(), { lr = optim.schedule.cosine{ lr = 0.1, steps = 5, warmup = 2 } }) end,
                 function() return optim.SGD(net(), { lr = function(step) return value(1) end }) end }()
  end,
  lr_schedule = function()
    return pick{ function() return optim.schedule.cosine{ lr = 0.1, steps = R(1, 9), final = 0.01 } end,
                 function() return optim.schedule.step{ lr = 1, every = R(1, 3), warmup = R(0, 2) } end,
                 function() return optim.schedule.step{ lr = 1, milestones = { 2, 5 }, gamma = 0.5 } end,
                 function() return optim.schedule.constant{ lr = 0.5, warmup = 3 } end }()
  end,
  schedule = function()
    return pick{ function() return schedule.constant(3) end,
                 function() return schedule.triangular{ classes = 3, amplitude = 5, period = 4 } end,
                 function() return schedule.sine{ classes = 2, amplitude = 3, period = 6, static_after = 9 } end,
                 function() return schedule.custom(function(step) return { 1, step % 3, 2 } end) end,
                 function() return schedule.square{ classes = 3, amplitude = 4, period = 3, duty = 0.4 } end,
                 function() return schedule.random{ classes = 3, amplitude = 3, period = 2, seed = R(-2, 2),
                                                    shape = pick{ "triangular", "sine", "square" } } end,
                 function() return schedule.custom(function(step) return { step % 2, 1, 1 } end,
                                                   { normalize = true, static_after = R(1, 5) }) end,
                 function() return schedule.triangular{ classes = 3, amplitude = 5, period = 4 }
                                   * schedule.custom(function(step) return { 1, step % 3, 2 } end) end,
                 function() return schedule.custom(function() error("schedule fails") end) end }()
  end,
  figure = function() return plot.figure() end,
}

callbacks = {
  function() error("callback fails") end,
  function() return nil end,
  function(...) return ... end,
  function() return false end,
  function() return { 1, 1, 1 } end,
  function() coroutine.yield(1) end,
  function() collectgarbage() end,
  function(a) if type(a) == "userdata" and getmetatable(a) and getmetatable(a).__close then pcall(getmetatable(a).__close, a) end end,
  function(...) return value(2) end,
  function(...) return recurse(...) end,
}

local foreign = io.tmpfile()
local thread = coroutine.create(function() end)

function value(depth)
  local r = R(100)
  if r <= 6 then return nil
  elseif r <= 9 then return R(2) == 1
  elseif r <= 30 then return pick(numbers)
  elseif r <= 38 then return pick(strings)
  elseif r <= 58 then return pick(tensors())()
  elseif r <= 64 then return makers.nn()
  elseif r <= 67 then return makers.loss()
  elseif r <= 69 then return makers.optim()
  elseif r <= 71 then return makers.schedule()
  elseif r <= 72 then return makers.lr_schedule()
  elseif r <= 73 then return makers.figure()
  elseif r <= 77 then return pick(callbacks)
  elseif r <= 78 then return foreign
  elseif r <= 79 then return thread
  elseif depth >= 3 then return pick(numbers)
  elseif r <= 86 then  -- a list, maybe nested, maybe with holes
    local t = {}
    for i = 1, R(0, 4) do t[i] = R(5) == 1 and value(depth + 1) or R(0, 3) end
    if R(6) == 1 then t[#t + 2] = 1 end
    return t
  else  -- an options table
    local t = {}
    for _ = 1, R(0, 4) do t[pick(keys)] = value(depth + 1) end
    return t
  end
end

-- Recipes that get past the first checks: valid calls with one or two fields made hostile.
local function fitOptions()
  local model = net()
  local X, y = data.spiral{ classes = 3, per_class = 4, seed = R(0, 9) }
  local o = { model = model, loss = makers.loss(), optimizer = optim.SGD(model, { lr = pick{ 0.1, 1e6, 1e308 } }),
              x = X, y = y, steps = R(0, 6), progress = false }
  if R(2) == 1 then o.weights = pick{ makers.schedule, function() return pick(callbacks) end }() end
  if R(3) == 1 then o.on_step = pick(callbacks) end
  if R(4) == 1 then o.on_nonfinite = pick{ "error", "stop", "continue", "x" } end
  if R(4) == 1 then o.batch_size = pick{ 1, 5, 12, 0 } end
  if R(5) == 1 then o.validation = { x = X, y = y } end
  if R(6) == 1 then o.analysis = { every = R(1, 3), hessian_top = R(1, 2), iters = R(1, 6) } end
  if R(6) == 1 then o.checkpoint = { path = "ck" .. R(3) .. ".ckpt", every = R(1, 3) } end
  if R(6) == 1 then o.resume = "ck" .. R(3) .. ".ckpt" end
  for _ = 1, R(0, 2) do o[pick(keys)] = value(1) end
  return o
end

-- A saved file with bytes changed or cut.
local function corrupted()
  local name = "c" .. R(1000) .. pick{ ".npy", ".dynlua", ".csv", ".idx", ".gz" }
  if name:sub(-4) == ".npy" then tensor.randn(3, 2):save(name)
  elseif name:sub(-4) == ".idx" then
    local f = io.open(name, "wb"); f:write("\0\0\8\2\0\0\0\2\0\0\0\3abcdef"); f:close()
  elseif name:sub(-3) == ".gz" then  -- Fashion-MNIST's smallest gzip file, when installed
    local src = io.open("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", "rb")
    local bytes = src and src:read("a") or "\31\139\8\0"
    if src then src:close() end
    local f = io.open(name, "wb"); f:write(bytes); f:close()
  elseif name:sub(-4) == ".csv" then
    local f = io.open(name, "w"); f:write("a,b,label\n1,2,1\n3,4,2\n"); f:close()
  else net():save(name) end
  local f = io.open(name, "rb"); local bytes = f:read("a"); f:close()
  local b = { bytes:byte(1, -1) }
  for _ = 1, R(1, 4) do
    if #b == 0 then break end  -- (math.random(0) would be any integer)
    local i = R(#b)
    if R(3) == 1 then for j = #b, i, -1 do b[j] = nil end else b[i] = R(0, 255) end
  end
  f = io.open(name, "wb")
  for i = 1, #b, 4096 do f:write(string.char(table.unpack(b, i, math.min(#b, i + 4095)))) end
  f:close()
  return name
end

-- Targets -----------------------------------------------------------------------------------------

local targets = {}  -- { name =, kind =, fn = } ; kind: "function", "method", "metamethod"
local moduleNames = { "tensor", "nn", "schedule", "optim", "data", "train", "analysis", "plot", "sys", "autograd" }
for _, m in ipairs(moduleNames) do
  for name, f in pairs(_G[m]) do
    if type(f) == "function" then targets[#targets + 1] = { name = m .. "." .. name, kind = "function", fn = f } end
    if type(f) == "table" then  -- a sub-table of functions (optim.schedule)
      for sub, g in pairs(f) do
        if type(g) == "function" then targets[#targets + 1] = { name = m .. "." .. name .. "." .. sub, kind = "function", fn = g } end
      end
    end
  end
end

-- Methods and metamethods of every object type, from its metatable (the method table is the
-- __index table, or the second upvalue of an __index function).
local samples = { tensor = function() return tensor.randn(3, 2) end,
                  module = function() return R(2) == 1 and net() or cnn() end, loss = makers.loss,
                  optimizer = makers.optim, schedule = makers.schedule, figure = makers.figure,
                  lr_schedule = makers.lr_schedule }
local sampleOrder = { "tensor", "module", "loss", "optimizer", "schedule", "figure", "lr_schedule" }
for _, kind in ipairs(sampleOrder) do
  local mt = getmetatable(samples[kind]())
  local methods = type(mt.__index) == "table" and mt.__index or select(2, debug.getupvalue(mt.__index, 2))
  for name, f in pairs(methods) do
    if type(f) == "function" then targets[#targets + 1] = { name = kind .. ":" .. name, kind = "method", fn = f, of = kind } end
  end
  for name, f in pairs(mt) do
    if type(f) == "function" and name:sub(1, 2) == "__" then
      targets[#targets + 1] = { name = kind .. "." .. name, kind = "metamethod", fn = f, of = kind }
    end
  end
end
-- The metamethods of shape tables (t:shape()), called with any values.
for name, f in pairs(getmetatable(tensor.randn(3, 2):shape())) do
  if type(f) == "function" then targets[#targets + 1] = { name = "shape." .. name, kind = "metamethod", fn = f } end
end
table.sort(targets, function(a, b) return a.name < b.name end)  -- pairs order varies by run

local depth = 0
function recurse(...)
  if depth >= 2 then return ... end
  depth = depth + 1
  local results = table.pack(pcall(pick(targets).fn, ...))
  depth = depth - 1
  return table.unpack(results, 2, results.n)
end

-- Describing a call for the log (short: a type and a few details per argument).
local function describe(v)
  local t = type(v)
  if t == "number" then return string.format("%.17g", v)
  elseif t == "string" then return string.format("%q", v)
  elseif t == "userdata" then
    local ok, s = pcall(tostring, v)
    return ok and s:gsub("\n.*", "..."):sub(1, 60) or "userdata"
  elseif t == "table" then
    local parts = {}
    for k, x in pairs(v) do parts[#parts + 1] = tostring(k) .. "=" .. (type(x) == "table" and "{...}" or describe(x)) end
    table.sort(parts)
    return "{" .. table.concat(parts, ", "):sub(1, 200) .. "}"
  end
  return t
end

-- The calls ---------------------------------------------------------------------------------------

local called, ok, errors = {}, 0, 0
local last = first + count - 1
for i = first, last do
  math.randomseed(seed, i)
  local target, args
  local r = R(100)
  if r <= 6 then
    target = { name = "train.fit", fn = train.fit }; args = { fitOptions() }
  elseif r <= 9 then
    local name = corrupted()
    target = pick{ { name = "tensor.load", fn = tensor.load }, { name = "nn.load", fn = nn.load },
                   { name = "data.csv", fn = data.csv }, { name = "data.idx", fn = data.idx } }
    args = { name, R(2) == 1 and { header = pick{ true, false, "auto" } } or nil }
  elseif r <= 12 then
    -- A gradient through a random chain of calls on the tracked argument (the recording paths).
    local tensorTargets = {}
    for _, t in ipairs(targets) do
      if t.of == "tensor" or t.name:sub(1, 7) == "tensor." then tensorTargets[#tensorTargets + 1] = t end
    end
    local steps = R(1, 4)
    local f = function(x, ...)
      local v = x
      for _ = 1, steps do
        local done, out
        if R(5) == 1 then  -- a built-in module or loss on the tape
          local m = R(2) == 1 and makers.nn() or makers.loss()
          done, out = pcall(m.forward, m, v, value(0))
        else
          done, out = pcall(pick(tensorTargets).fn, v, value(0), value(0))
        end
        if done and out ~= nil then v = out end
      end
      return v
    end
    target = { name = "autograd.grad(f)", fn = function(...)
      return autograd.grad(f, pick{ {}, { argnum = 1 }, { argnum = 2 }, { argnum = "x" }, { nope = 1 } })(...)
    end }
    args = { pick{ value, function() return pick(tensors())() end, function() return net():parameters() end }(1), value(0) }
  else
    target = pick(targets)
    args = {}
    local n = R(0, 4)
    for k = 1, n do args[k] = value(0) end
    if target.of and R(10) > 1 then table.insert(args, 1, samples[target.of]()) end
  end
  local parts = {}
  for k = 1, #args do parts[k] = describe(args[k]) end
  log:write(string.format("call %d %s(%s)\n", i, target.name, table.concat(parts, ", ")))
  log:flush()
  called[target.name] = true
  local success = pcall(target.fn, table.unpack(args, 1, #args))
  if success then ok = ok + 1 else errors = errors + 1 end
  if i % 50 == 0 then collectgarbage() end
end
log:write(string.format("done %d %d %d\n", count, ok, errors))
for _, t in ipairs(targets) do
  if not called[t.name] then log:write("uncovered ", t.name, "\n") end
end
log:close()
