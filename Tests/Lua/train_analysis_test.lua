-- train.fit's analysis option against the analysis functions called by hand at the same
-- step: the same parameters (before that step's update) and the same class weights.
local check = require "check"

local sched = schedule.triangular{ classes = 3, amplitude = 9, period = 12 }
local function setup()
  tensor.seed(11)
  local X, y = data.spiral{ classes = 3, per_class = 15, seed = 4 }
  local model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
  return X, y, model, nn.CrossEntropyLoss(), optim.SGD(model, { lr = 0.3 })
end

local X, y, model, loss, opt = setup()
local pts = X:narrow(1, 1, 6)
local h = train.fit{ model = model, loss = loss, optimizer = opt, x = X, y = y, steps = 30, weights = sched,
                     progress = false, analysis = { every = 10, hessian_top = 2, ntk_points = pts } }
check.eq(#h.analysis_step, 3, "analysed steps")
check.eq(h.analysis_step[2], 11, "second analysed step")

for j, step in ipairs(h.analysis_step) do
  local X2, y2, m2, l2, o2 = setup()
  if step > 1 then
    train.fit{ model = m2, loss = l2, optimizer = o2, x = X2, y = y2, steps = step - 1, weights = sched, progress = false }
  end
  l2:set_weights(sched(step))
  local exact = analysis.eigenvalues(analysis.hessian(m2, l2, X2, y2))
  for i = 1, 2 do
    check.near(h.hessian_top[j][i], exact[i], 1e-6, "Hessian eigenvalue " .. i .. " at step " .. step)
  end
  check.eq(h.lambda_max[j], h.hessian_top[j][1], "lambda_max")
  check.near(h.ntk_max[j], analysis.ntk_eigenvalues(m2, pts)[1], 1e-10, "NTK max at step " .. step)
end
