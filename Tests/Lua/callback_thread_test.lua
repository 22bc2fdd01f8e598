-- A Lua callback kept by Swift (a schedule.custom function) runs on the thread of the call
-- running it. It used to run on whichever thread last touched the schedule: a coroutine that
-- called the schedule inside on_step, once collected, left train.fit calling into a freed
-- lua_State.
local check = require "check"

local calls = {}
local s = schedule.custom(function(step)
  calls[#calls + 1] = coroutine.running()
  return {1, 2}
end, {classes = 2})
local m = nn.Linear(2, 2)
local x = tensor.new({{1, 0}, {0, 1}, {1, 1}})
local seen = 0
local h = train.fit{
  model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(m, {lr = 0.1}),
  x = x, y = {1, 2, 1}, steps = 20, weights = s,
  on_step = function(step)
    -- Use the schedule from a coroutine, then drop and collect the coroutine (and churn the
    -- allocator so that freed memory is reused).
    local co = coroutine.create(function() return s(step) end)
    local ok, w = coroutine.resume(co)
    assert(ok and w:sum() == 3, "the schedule called from a coroutine")
    co = nil
    collectgarbage(); collectgarbage()
    for _ = 1, 200 do local _ = {string.rep("y", 64)} end
    seen = seen + 1
  end,
}
check.eq(seen, 20, "steps seen by on_step")
check.eq(#h.loss, 20, "steps recorded")
-- train.fit's own calls ran on the main thread (it was called from there), the others in
-- their coroutines: 20 of each.
local main, others = 0, 0
for _, th in ipairs(calls) do
  if th == coroutine.running() then main = main + 1 else others = others + 1 end
end
check.eq(main, 20, "schedule calls on train.fit's thread")
check.eq(others, 20, "schedule calls in the coroutines")

-- train.fit called inside a coroutine runs the schedule on that coroutine.
local co = coroutine.create(function()
  local before = #calls
  train.fit{model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(m, {lr = 0.1}),
            x = x, y = {1, 2, 1}, steps = 3, weights = s}
  for i = before + 1, #calls do assert(calls[i] == coroutine.running(), "on the coroutine") end
  return #calls - before
end, {classes = 2})
local ok, n = coroutine.resume(co)
check.eq(ok, true, "train.fit in a coroutine: " .. tostring(n))
check.eq(n, 3, "schedule calls")
