-- The paper's generalization experiment, on Fashion-MNIST (Debian's dataset-fashion-mnist): an
-- overparameterized Myrtle-style CNN (conv 3x3 -> ReLU stacks, average pools, linear head; the
-- networks of "Neural Kernels Without Tangents") trained on a small subset of the training
-- images with plain cross-entropy and with the dynamical loss (triangular schedule, amplitude A,
-- period T; plain cross-entropy for the last period, as in the paper), several seeds each.
-- SGD with momentum under a cosine learning-rate schedule with warm-up. During training the
-- first `curve` test images are evaluated every `eval` steps (batched; in the history as
-- val_step / val_accuracy); the trained network is then judged on all `test` images. Prints the
-- test accuracy of every run, its mean and standard deviation per loss, what the evaluations
-- during training cost and the running time, and draws the curves (test accuracy and training
-- loss against the step) to OUT.svg.
--
--   dynlua examples/fashion.lua [train=2000] [test=10000] [curve=1000] [width=32] [depth=1]
--          [epochs=25] [batch=32] [lr=0.05] [A=3.0] [T=60] [seeds=3] [augment=false] [eval=126]
--          [out=fashion]
--
-- depth is the number of conv layers per stage (three stages, each ending in a 2x2 average
-- pool: 28 -> 14 -> 7 -> 3). With the defaults the network has 30,954 parameters for 2,000
-- training images (about 15 per image), and the test set is evaluated every two epochs.
-- Measured with the defaults (release build, 2 busy cores): test accuracy 0.8442 +- 0.0039 with
-- cross-entropy and 0.8445 +- 0.0041 with the dynamical loss, in 375 s. See README.md.
local t0 = sys.clock()
local o = sys.params{ train = 2000, test = 10000, curve = 1000, width = 32, depth = 1, epochs = 25, batch = 32,
                      lr = 0.05, A = 3.0, T = 60, seeds = 3, augment = false, eval = 126, out = "fashion" }
local C = 10

local X, y = data.fashion_mnist{ split = "train", n = o.train, seed = 1 }
local Xt, yt = data.fashion_mnist{ split = "test", n = o.test, seed = 1 }
local curve = math.min(o.curve, Xt:size(1))
local Xc, yc = Xt:narrow(1, 1, curve), yt:narrow(1, 1, curve)
local stepsPerEpoch = math.ceil(X:size(1) / o.batch)
local steps = o.epochs * stepsPerEpoch
print(string.format("Fashion-MNIST: %d training images, %d test images; %d steps of %d (%d epochs)",
                    X:size(1), Xt:size(1), steps, o.batch, o.epochs))

local function myrtle(width, depth)
  local layers = { nn.Conv2d(1, width, 3, { padding = 1, init = "he_normal" }), nn.ReLU() }
  for _ = 1, 3 do
    for _ = 1, depth do
      layers[#layers + 1] = nn.Conv2d(width, width, 3, { padding = 1, init = "he_normal" })
      layers[#layers + 1] = nn.ReLU()
    end
    layers[#layers + 1] = nn.AvgPool2d(2)
  end
  layers[#layers + 1] = nn.Flatten()
  layers[#layers + 1] = nn.Linear(width * 3 * 3, C)
  return nn.Sequential(table.unpack(layers)):to("float32")
end

local runs = {
  { name = "cross-entropy" },
  { name = string.format("dynamical (A=%g, T=%d)", o.A, o.T),
    weights = schedule.triangular{ classes = C, amplitude = o.A, period = o.T, static_after = math.max(1, steps - o.T + 1) } },
}
local trainSeconds, evaluations = 0, 0
for _, run in ipairs(runs) do
  run.h, run.test = {}, {}
  for seed = 1, o.seeds do
    tensor.seed(seed)  -- the same initial network for both losses
    local model = myrtle(o.width, o.depth)
    local lr = optim.schedule.cosine{ lr = o.lr, steps = steps, warmup = math.min(stepsPerEpoch, steps - 1) }
    local started = sys.clock()
    local h = train.fit{ model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, { lr = lr, momentum = 0.9 }),
                         x = X, y = y, steps = steps, batch_size = o.batch, seed = seed, weights = run.weights,
                         every = 8, eval_every = o.eval, validation = { x = Xc, y = yc },
                         augment = o.augment and { crop = 2, flip = true } or nil }
    trainSeconds = trainSeconds + (sys.clock() - started)
    local _, testAccuracy = train.evaluate(model, nn.CrossEntropyLoss(), Xt, yt, { batch_size = 250 })
    run.h[seed], run.test[seed] = h, testAccuracy
    evaluations = evaluations + #h.val_step
    run.model = model
    print(string.format("%-26s seed %d: train accuracy %.4f, test accuracy %.4f (%.0f s)", run.name, seed,
                        h.final.accuracy, testAccuracy, sys.clock() - started))
  end
end
print(string.format("the network: %d parameters", runs[1].model:flat_parameters():numel()))
-- What the evaluations during training cost: one more, timed on its own.
local started = sys.clock()
train.evaluate(runs[1].model, nn.CrossEntropyLoss(), Xc, yc, { batch_size = o.batch })
local evalSeconds = sys.clock() - started
print(string.format("one evaluation of %d test images: %.2f s; the %d during training took about %.0f%% of train.fit's time", curve,
                    evalSeconds, evaluations, 100 * evalSeconds * evaluations / trainSeconds))

local function meanStd(values)
  local m = 0
  for _, v in ipairs(values) do m = m + v / #values end
  local s = 0
  for _, v in ipairs(values) do s = s + (v - m) ^ 2 end
  return m, #values > 1 and math.sqrt(s / (#values - 1)) or 0
end
print(string.format("\n%-26s %s", "test accuracy", "mean +- std over " .. o.seeds .. " seeds"))
for _, run in ipairs(runs) do
  run.mean, run.std = meanStd(run.test)
  print(string.format("%-26s %.4f +- %.4f", run.name, run.mean, run.std))
end

-- The curves: each seed's test accuracy and training loss (on its minibatch) against the step.
local fig = plot.figure{ rows = 1, cols = 2, width = 1100, height = 420, sharex = false,
                         title = string.format("Fashion-MNIST, %d images, Myrtle CNN width %d depth %d", X:size(1), o.width, o.depth) }
for k, run in ipairs(runs) do
  for seed, h in ipairs(run.h) do
    local label = seed == 1 and run.name or nil
    fig:line(1, h.val_step, h.val_accuracy, { label = label, color = k })  -- on the first `curve` test images
    fig:line(2, h.step, h.loss, { label = label, color = k, width = 1 })
  end
end
fig:panel(1, { xlabel = "step", ylabel = "test accuracy (" .. curve .. " images)" })
fig:panel(2, { xlabel = "step", ylabel = "training loss (minibatch)", yscale = "log" })
fig:save(o.out .. ".svg")
print("wrote " .. o.out .. ".svg")
print(string.format("running time: %.0f s (%.0f s in train.fit)", sys.clock() - t0, trainSeconds))
