-- Training checkpoints: a run that crashes (an error in on_step) and is started again with
-- `resume` ends with the same parameters, optimizer state, history, log and random stream,
-- bit for bit, as a run never interrupted; state kept in upvalues goes through the hooks.
local check = require "check"

local bits = check.bits
local read = check.read_file

local X, y = data.spiral{classes = 3, per_class = 25, seed = 4}
local Xv, yv = data.spiral{classes = 3, per_class = 5, seed = 5}
local dir = os.tmpname()
os.remove(dir)
local ck, log = dir .. ".ck", dir .. ".csv"

-- One run of the same command; `crash_at` makes on_step fail at that step (a crash).
local function run(opts)
  tensor.seed(3)
  local m = nn.Sequential(nn.Linear(2, 12), nn.Tanh(), nn.Linear(12, 3))
  local opt = optim.SGD(m, {lr = 0.05, momentum = 0.9, nesterov = true})
  -- A custom schedule with state in an upvalue: saved through the hooks.
  local calls = 0
  local weights = function(step) calls = calls + 1; return {1, 1 + (calls % 5), 1} end
  local seen = {}
  local ok, h = pcall(train.fit, {
    model = m, loss = nn.CrossEntropyLoss(), optimizer = opt, x = X, y = y, steps = 60,
    batch_size = 16, every = 3, progress = false, weights = weights, log = log,
    validation = {x = Xv, y = yv},
    analysis = {every = 9, hessian_top = 2, ntk_points = Xv},
    checkpoint = opts.checkpoint, resume = opts.resume,
    on_step = function(s)
      opt.lr = 0.05 / (1 + s / 30)  -- the learning rate changes during the run
      if s == opts.crash_at then error("simulated crash") end
      tensor.rand(1)                 -- the global generator moves during the run
    end,
    on_checkpoint = opts.checkpoint and function() return {calls = calls, name = "a\0b", nested = {1.5, true}} end,
    on_resume = function(state) seen = state; calls = state.calls end,
  })
  return ok, h, m, seen, tensor.rand(2)
end

os.remove(ck)
local ok, ref, mref, _, after = run{}
check.eq(ok, true, "reference run")
local ref_log = read(log)
os.remove(log)

-- Without a file, `resume` starts fresh; the crash at step 46 leaves the checkpoint of step 40.
ok = run{checkpoint = {path = ck, every = 10}, resume = ck, crash_at = 46}
check.eq(ok, false, "the run crashed")
check.eq(read(ck):match("\nstep (%d+) 0\n"), "40", "last checkpoint before the crash")
check.eq(io.open(log), nil, "no log after the crash")

local ok2, h, m, seen, after2 = run{checkpoint = {path = ck, every = 10}, resume = ck}
check.eq(ok2, true, "the resumed run")
check.eq(seen.name, "a\0b", "on_resume gets the saved string, NUL included")
check.eq(seen.nested[1] + (seen.nested[2] and 1 or 0), 2.5, "nested values")
check.eq(math.type(seen.calls), "integer", "integers stay integers")
check.eq(bits(m:flat_parameters()), bits(mref:flat_parameters()), "same parameters, bit for bit")
check.eq(#h.step, #ref.step, "same number of records")
for _, key in ipairs{"step", "loss", "weighted_loss", "accuracy", "val_loss", "val_accuracy", "lambda_max", "ntk_max"} do
  check.eq(bits(tensor.new(h[key])), bits(tensor.new(ref[key])), "history " .. key)
end
check.eq(bits(tensor.new(h.weights)), bits(tensor.new(ref.weights)), "history weights (the custom schedule's state)")
check.eq(bits(after2), bits(after), "the global generator continues where it would have")
check.eq(read(log), ref_log, "the same log file")
check.eq(read(ck):match("\nstep (%d+) 0\n"), "60", "the last step is saved too")

-- Running the finished command again: nothing more to do, the same result.
local ok3, h3, m3 = run{checkpoint = {path = ck, every = 10}, resume = ck}
check.eq(ok3, true, "a run resumed at its end")
check.eq(bits(m3:flat_parameters()), bits(mref:flat_parameters()), "parameters of a finished run")
check.eq(bits(tensor.new(h3.loss)), bits(tensor.new(ref.loss)), "history of a finished run")

-- A checkpoint of another run, a damaged one, bad options.
local m = nn.Sequential(nn.Linear(2, 12), nn.Tanh(), nn.Linear(12, 3))
local base = {model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(m, {lr = 0.1}), x = X, y = y,
              steps = 5, progress = false}
local function fit(extra) return train.fit(check.with(base, extra)) end
check.raises("belongs to another run (batch_size 16 there, full here); delete it to start over", fit, {resume = ck})
local text = read(ck)
local f = assert(io.open(ck, "wb")); f:write((text:gsub("\nstep 60 0\n", "\nstep 50 0\n"))); f:close()
check.raises("is damaged: the checksum does not match", fit, {resume = ck})
-- Single-bit flips spread over the whole file: each one is reported as damage.
for k = 0, 79 do
  local pos = 1 + (k * (#text - 1)) // 79
  local byte = text:byte(pos) ~ (1 << (k % 8))
  f = assert(io.open(ck, "wb")); f:write(text:sub(1, pos - 1) .. string.char(byte) .. text:sub(pos + 1)); f:close()
  local ok, e = pcall(fit, {resume = ck})
  check.eq(ok, false, "flipped bit " .. k)
  if not (e:find("is damaged", 1, true) or e:find("is not a dynlua training checkpoint", 1, true)
          or e:find("has format version", 1, true)) then
    error("flip at byte " .. pos .. " gave another error: " .. e)
  end
end
f = assert(io.open(ck, "wb")); f:write(text:sub(1, #text // 2)); f:close()
check.raises("is damaged: the checksum line is missing", fit, {resume = ck})
f = assert(io.open(ck, "wb")); f:write("dynlua-model 2\n"); f:close()
check.raises("is not a dynlua training checkpoint file (first line 'dynlua-model 2', expected 'dynlua-checkpoint 1')", fit, {resume = ck})
os.remove(ck)
check.raises("checkpoint option 'every' must be >= 1, got 0", fit, {checkpoint = {path = ck, every = 0}})
check.raises("checkpoint option 'path' is required", fit, {checkpoint = {every = 2}})
check.raises("unknown option 'evry'", fit, {checkpoint = {path = ck, evry = 2}})
check.raises("train.fit: checkpoint: cannot write '/nonexistent/dir/ck' (no such file or directory)", fit,
             {checkpoint = {path = "/nonexistent/dir/ck"}})
check.raises("on_checkpoint's result: a function value cannot be saved", fit,
             {checkpoint = {path = ck, every = 2}, on_checkpoint = function() return {f = print} end})
local loop = {}
loop.self = loop
check.raises("nested more than 100 deep", fit, {checkpoint = {path = ck, every = 2}, on_checkpoint = function() return loop end})
check.raises("train.fit: on_checkpoint failed: ", fit, {checkpoint = {path = ck, every = 2}, on_checkpoint = function() error("nope") end})
check.eq(io.open(ck), nil, "no checkpoint from a failed hook")
os.remove(log)

-- float32 parameters and Adam's float32 moments go through the file's float64 text exactly.
local function run32(opts)
  tensor.seed(8)
  local m = nn.Sequential(nn.Linear(2, 9), nn.ReLU(), nn.Linear(9, 3)):to("float32")
  local ok = pcall(train.fit, {model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.Adam(m, {lr = 0.02}),
    x = X:clone(), y = y, steps = 25, batch_size = 10, progress = false,
    checkpoint = opts.checkpoint, resume = opts.resume,
    on_step = function(s) if s == opts.crash_at then error("crash") end end})
  return ok, m
end
local _, m32 = run32{}
os.remove(ck)
check.eq(run32{checkpoint = {path = ck, every = 4}, resume = ck, crash_at = 14}, false, "float32 run crashed")
local ok32, r32 = run32{checkpoint = {path = ck, every = 4}, resume = ck}
check.eq(ok32, true, "float32 run resumed")
check.eq(r32:dtype(), "float32", "still float32")
check.eq(bits(r32:flat_parameters()), bits(m32:flat_parameters()), "float32 parameters, bit for bit")
os.remove(ck)
