local check = require "check"
local a = tensor.new({{1, 2, 3}, {4, 5, 6}})
check.tensor(a:matmul(a:t()), {{14, 32}, {32, 77}}, 0, "a a^T")
check.eq(a:sum(), 21, "sum")
check.raises("shapes (2x3) and (2x3) do not align", tensor.matmul, a, a)
