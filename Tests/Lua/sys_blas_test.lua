-- sys.blas(): the library, its version, the kernel family and the thread count in use.
local check = require("check")

local b = sys.blas()
check.eq(b.library, "OpenBLAS", "library")
check.eq(type(b.version), "string", "version type")
check.eq(b.version:match("^%d+%.%d+%.%d+$") ~= nil, true, "version " .. b.version)
check.eq(type(b.core), "string", "core type")
check.eq(#b.core > 0, true, "core is named")
local fields = 0
for _ in pairs(b) do fields = fields + 1 end
check.eq(fields, 4, "fields")

-- threads follows sys.blas_threads.
local before = sys.blas_threads()
check.eq(b.threads, before, "threads")
sys.blas_threads(2)
check.eq(sys.blas().threads, 2, "threads after sys.blas_threads(2)")
sys.blas_threads(before)
check.eq(sys.blas().threads, before, "threads restored")
-- A fresh table each call: changing one does not change the next.
b.core = "changed"
check.eq(sys.blas().core ~= "changed", true, "fresh table")
