-- A new loss without new Swift: the focal loss (Lin et al., 2017), which scales each sample's
-- cross-entropy by (1 - p)^gamma, p the probability given to its true class, so that samples
-- already classified well count less. Written once in Lua; autograd.grad gives its gradient.
--
-- 1. The gradient with respect to the logits is checked against the hand-derived one:
--    for a sample with true class y, p = softmax(z) and pt = p_y,
--    d/dz_j [-(1 - pt)^g log pt] = (g (1 - pt)^(g-1) pt log pt - (1 - pt)^g) (delta_jy - p_j).
-- 2. A two-layer network, its parameters a plain Lua table, is trained on a one-turn spiral by
--    gradient descent written in a few lines, once with gamma = 0 (cross-entropy) and once with
--    gamma = 2, from the same initial weights.
--
--   dynlua examples/focal_loss.lua [gamma=2] [steps=2000] [width=16] [lr=1]
local options = sys.params{ gamma = 2.0, steps = 2000, width = 16, lr = 1.0 }
local C = 3

-- The mean focal loss of logits z (N, C) for labels y (N) in 1..C.
local function focal(z, y, gamma)
  local logp = z:log_softmax(2):gather(2, y:view(-1, 1))   -- (N, 1): log pt
  local weight = (1 - logp:exp()) ^ gamma
  return -(weight * logp):mean()
end

-- 1. Gradient check on random logits.
tensor.seed(7)
local z, labels = tensor.randn(5, C), tensor.new{ 1, 3, 2, 2, 1 }
local g = options.gamma
local byAutograd = autograd.grad(focal)(z, labels, g)
local p = z:softmax(2)
local pt = p:gather(2, labels:view(-1, 1))
local factor = (g * (1 - pt) ^ (g - 1) * pt * pt:log() - (1 - pt) ^ g) / z:size(1)
local byHand = factor * (tensor.onehot(labels, C) - p)
local diff = (byAutograd - byHand):abs():max()
print(string.format("focal loss gradient, gamma = %g: autograd vs hand-derived, largest difference %.2e", g, diff))
assert(diff < 1e-14, "the two gradients disagree")

-- 2. Training with a hand-written loop.
local X, y = data.spiral{ classes = C, per_class = 100, revolutions = 1, seed = 1 }
local function forward(params, x)
  return (x:matmul(params.w1) + params.b1):tanh():matmul(params.w2) + params.b2
end
local function objective(params, x, labels, gamma) return focal(forward(params, x), labels, gamma) end
local step = autograd.grad(objective)

local function train(gamma)
  tensor.seed(1)
  local params = { w1 = tensor.randn(2, options.width) * 0.5, b1 = tensor.zeros(options.width),
                   w2 = tensor.randn(options.width, C) * 0.5, b2 = tensor.zeros(C) }
  local loss
  for _ = 1, options.steps do
    local grads
    grads, loss = step(params, X, y, gamma)
    for name, t in pairs(params) do t:add_(grads[name], -options.lr) end
  end
  local accuracy = forward(params, X):argmax(2):eq(y):mean()
  return loss, accuracy
end

print(string.format("%-22s %12s %12s", "loss", "last loss", "accuracy"))
for _, gamma in ipairs{ 0, g } do
  local loss, accuracy = train(gamma)
  print(string.format("%-22s %12.5f %12.3f", gamma == 0 and "cross-entropy" or ("focal, gamma = " .. gamma), loss, accuracy))
end
