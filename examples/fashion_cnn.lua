-- Images: a small convolutional network on Fashion-MNIST (Debian's dataset-fashion-mnist, 28x28
-- grey images of 10 kinds of clothing). Two conv -> ReLU -> average-pool stages and a linear
-- head, float32, trained with SGD and momentum on a few thousand training images, then judged on
-- test images with train.evaluate (loss, accuracy, accuracy of each class). With the defaults
-- it measured 83.0% test accuracy (training loss 2.32 -> 0.45) in 13 s with a debug build on a
-- 2-core machine.
--
--   dynlua examples/fashion_cnn.lua [train=4000] [test=2000] [epochs=3] [width=16] [seed=1]
local options = sys.params{ train = 4000, test = 2000, epochs = 3, width = 16, seed = 1 }
local classes = { "T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot" }

local X, y = data.fashion_mnist{ split = "train", n = options.train, seed = options.seed }
local Xt, yt = data.fashion_mnist{ split = "test", n = options.test, seed = options.seed }
print(string.format("Fashion-MNIST: %d training and %d test images of shape %s", X:size(1), Xt:size(1),
                    tostring(X[1]:shape())))

local w = options.width
tensor.seed(options.seed)
local model = nn.Sequential(
  nn.Conv2d(1, w, 3, { padding = 1, init = "he_normal" }), nn.ReLU(), nn.AvgPool2d(2),   -- 28 -> 14
  nn.Conv2d(w, w, 3, { padding = 1, init = "he_normal" }), nn.ReLU(), nn.AvgPool2d(2),   -- 14 -> 7
  nn.Flatten(), nn.Linear(w * 7 * 7, 10))
model:to("float32")
print(model)

local loss = nn.CrossEntropyLoss()
local batch = 64
local steps = options.epochs * math.ceil(X:size(1) / batch)
local started = os.time()
local h = train.fit{ model = model, loss = loss, optimizer = optim.SGD(model, { lr = 0.05, momentum = 0.9 }),
                     x = X, y = y, steps = steps, batch_size = batch, seed = options.seed, every = 20 }
local testLoss, testAccuracy, perClass = train.evaluate(model, loss, Xt, yt, { batch_size = 500 })
print(string.format("%d steps (%d epochs) in about %d s; training loss %.3f -> %.3f",
                    steps, options.epochs, os.time() - started, h.loss[1], h.loss[#h.loss]))
print(string.format("test: loss %.3f, accuracy %.1f%%", testLoss, 100 * testAccuracy))
for c, name in ipairs(classes) do print(string.format("  %-12s %5.1f%%", name, 100 * perClass[c])) end
