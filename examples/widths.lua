-- The underparameterized regime: final accuracy on the paper's spiral against the width of the
-- hidden layer (2-width-3 ReLU), plain cross-entropy against the dynamical loss (triangular,
-- A = 20, T = 300, the last period plain), mean and spread over seeds, in 20,000 steps of
-- full-batch gradient descent. One run is one point (60 points, about 17 s on 2 cores):
--
--   dynlua sweep examples/widths.lua width=4,8,16,32,64,100 loss=plain,dynamical --seeds 5 --out widths.jsonl
--   dynlua sweep --report widths.jsonl --by width,loss --metric accuracy --svg widths.svg
--
-- Alone: dynlua examples/widths.lua width=8 loss=plain seed=3
local p = sys.params{ width = 16, loss = "dynamical", seed = 1, steps = 20000, A = 20.0, T = 300 }
if p.loss ~= "plain" and p.loss ~= "dynamical" then
  error("loss must be plain or dynamical, got '" .. p.loss .. "'", 0)
end

local C = 3
local X, y = data.spiral{ classes = C, per_class = 100, revolutions = 4, noise = 0.2, seed = 0 }
tensor.seed(p.seed)  -- the same initial weights for both losses at a given seed and width
local model = nn.Sequential(nn.Linear(2, p.width), nn.ReLU(), nn.Linear(p.width, C))
local loss = nn.CrossEntropyLoss()
local weights = p.loss == "dynamical"
  and schedule.triangular{ classes = C, amplitude = p.A, period = p.T, static_after = math.max(p.steps - p.T + 1, 1) }
  or nil
train.fit{ model = model, loss = loss, optimizer = optim.SGD(model, { lr = 1 }), x = X, y = y,
           steps = p.steps, weights = weights, progress = false }

-- Accuracy at the final parameters, measured after training.
model:evaluate()
local accuracy = model:forward(X):argmax(2):eq(y):sum() / y:size(1)
print(string.format("width %d, %s loss, seed %d: accuracy %.3f", p.width, p.loss, p.seed, accuracy))
return { accuracy = accuracy }
