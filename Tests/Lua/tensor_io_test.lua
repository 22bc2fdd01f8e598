-- tensor.load / t:save with numpy .npy files.
local check = require "check"

-- Fixtures written by numpy (see Tests/DynCoreTests/Fixtures/README.md), found from this file's path.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local fixtures = here .. "/../DynCoreTests/Fixtures/"

local m = tensor.load(fixtures .. "f64_2x3.npy")
check.tensor(m, {{1.5, -2.0, 0.25}, {3.0, 1e-3, -7.125}}, 0, "float64 2x3")
check.eq(m:dtype(), "float64", "float64 dtype")
local f = tensor.load(fixtures .. "f32_1d.npy")
check.tensor(f, {0.5, -1.25, 3.0, 100.0}, 0, "float32 1-D")
check.eq(f:dtype(), "float32", "float32 dtype")
local i = tensor.load(fixtures .. "i32_2x2.npy")
check.tensor(i, {{1, -2}, {3, 2147483647}}, 0, "int32 read as float64")
check.eq(i:dtype(), "float64", "integers become float64")
check.tensor(tensor.load(fixtures .. "i64_3.npy"), {-5, 0, 9007199254740992}, 0, "int64")
check.eq(tensor.load(fixtures .. "f64_0d.npy"):item(), 2.5, "0-D")
check.raises("Fortran-order arrays are not supported", function() local _ = tensor.load(fixtures .. "f64_fortran.npy") end)
check.raises("big-endian arrays ('>f8') are not supported", function() local _ = tensor.load(fixtures .. "f64_bigendian.npy") end)

-- round trip through a temporary file, both dtypes, a strided view
local path = os.tmpname()
local t = tensor.new({{1 / 3, -2}, {1e300, 5e-324}})
t:save(path)
local back = tensor.load(path)
check.tensor(back, t, 0, "float64 round trip is exact")
local t32 = tensor.new({0.1, 0.2, 0.3}, "float32")
t32:save(path)
check.tensor(tensor.load(path), t32, 0, "float32 round trip")
check.eq(tensor.load(path):dtype(), "float32", "float32 stays float32")
t:t():save(path)
check.tensor(tensor.load(path), {{1 / 3, 1e300}, {-2, 5e-324}}, 0, "a transposed view is saved in logical order")
tensor.save(tensor.zeros(2, 0), path)
check.eq(tensor.load(path):size(2), 0, "tensor.save and an empty tensor")
os.remove(path)

-- errors
check.raises("tensor.load: cannot read '/nonexistent/dir/x.npy' (no such file or directory)", function() local _ = tensor.load("/nonexistent/dir/x.npy") end)
check.raises("save: cannot write '/nonexistent/dir/x.npy'", function() t:save("/nonexistent/dir/x.npy") end)
check.raises("bad argument #1 to 'load' (string expected, got number)", function() local _ = tensor.load(3) end)
check.raises("bad argument #1 to 'save' (string expected, got no value)", function() t:save() end)
local junk = os.tmpname()
local fh = io.open(junk, "w")
fh:write("not numpy at all")
fh:close()
check.raises("not a .npy file (bad magic bytes)", function() local _ = tensor.load(junk) end)
os.remove(junk)
