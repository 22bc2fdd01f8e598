-- A phase diagram of the dynamical loss: final accuracy over amplitude A and period T on the
-- paper's spiral (3 arms of 100 points) with a small 2-16-3 ReLU network, where plain
-- cross-entropy (A = 1) leaves points misclassified. One run of this script is one point of the
-- diagram; `dynlua sweep` runs the grid, one process per point, on every core:
--
--   dynlua sweep examples/phase_diagram.lua A=1,5,20,50 T=100,300,1000 --seeds 3 --out phase.jsonl
--   dynlua sweep --report phase.jsonl --by A,T --metric accuracy --svg phase.svg
--
-- (36 points of about 0.3 s each on a release build; rerun the first command after an interruption and it
-- carries on.) On a Slurm cluster, add --slurm --submit to the first command and report on
-- phase.task-*.jsonl (docs/sweeps.md). Run alone, it prints the point's results:
--
--   dynlua examples/phase_diagram.lua A=20 T=300 seed=2
local p = sys.params{ A = 20.0, T = 300, seed = 1, width = 16, steps = 20000, lr = 1.0 }

local C = 3
local X, y = data.spiral{ classes = C, per_class = 100, revolutions = 4, noise = 0.2, seed = 0 }
tensor.seed(p.seed)  -- the seed picks the initial weights; the data stay the same
local model = nn.Sequential(nn.Linear(2, p.width), nn.ReLU(), nn.Linear(p.width, C))
local loss = nn.CrossEntropyLoss()
-- The last period is plain cross-entropy, so every run ends on the same loss.
local weights = schedule.triangular{ classes = C, amplitude = p.A, period = p.T,
                                     static_after = math.max(p.steps - p.T + 1, 1) }
train.fit{ model = model, loss = loss, optimizer = optim.SGD(model, { lr = p.lr }), x = X, y = y,
           steps = p.steps, weights = weights, progress = false }

-- Accuracy at the final parameters, measured after training.
model:evaluate()
local predicted = model:forward(X):argmax(2)
local accuracy = predicted:eq(y):sum() / y:size(1)
local results = { accuracy = accuracy, loss = loss:forward(model:forward(X), y) }
print(string.format("A = %g, T = %d, seed = %d: accuracy %.3f", p.A, p.T, p.seed, accuracy))
return results
