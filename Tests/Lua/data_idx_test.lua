local check = require "check"

-- An idx file written here: 2x3 int16 values, big-endian.
local path = os.tmpname()
local function write(bytes)
  local f = assert(io.open(path, "wb")); f:write(bytes); f:close()
end
write("\0\0\11\2" .. string.pack(">I4I4", 2, 3) .. string.pack(">i2i2i2i2i2i2", 1, -2, 300, 0, -32768, 7))
local t = data.idx(path)
check.eq(t:dtype(), "float64", "integers read as float64")
check.tensor(t, {{1, -2, 300}, {0, -32768, 7}}, 0, "int16 values")
check.eq(data.idx(path, {dtype = "float32"}):dtype(), "float32", "dtype option")
check.raises("data.idx: option 'dtype' must be \"float32\" or \"float64\", got \"int8\"", data.idx, path, {dtype = "int8"})
check.raises("unknown option 'scale'", data.idx, path, {scale = 2})

write("\0\0\8\1" .. string.pack(">I4", 5) .. "abc")
check.raises("is truncated (shape (5) needs 5 bytes of data, the file has 3)", data.idx, path)
write("P5\n28 28\n255\n")
check.raises("is not an idx file (magic bytes 50 35 0a", data.idx, path)
os.remove(path)
check.raises("no such file or directory", data.idx, path)

-- data.fashion_mnist's own option errors (the loading is tested in IdxFileTests).
check.raises("data.fashion_mnist: option 'split' must be \"train\" or \"test\", got \"valid\"", data.fashion_mnist, {split = "valid"})
check.raises("unknown option 'count'", data.fashion_mnist, {count = 3})
check.raises("cannot find t10k-images-idx3-ubyte(.gz) in /nonexistent; install Debian's dataset-fashion-mnist package",
             data.fashion_mnist, {split = "test", dir = "/nonexistent"})
check.raises("data.fashion_mnist: the file name '/a\\0b/train-images-idx3-ubyte.gz' contains a NUL byte", data.fashion_mnist, {dir = "/a\0b"})
