-- Assertions for the Lua-level tests: each raises an error naming what differed.
local check = {}

-- Numbers are shown with all 17 digits, so that values differing in the last bit look different.
local function show(v)
  return math.type(v) == "float" and string.format("%.17g", v) or tostring(v)
end

function check.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what or "value", show(got), show(want)), 2)
  end
end

-- |got - want| <= tol * max(1, |want|)
function check.near(got, want, tol, what)
  tol = tol or 1e-12
  if type(got) ~= "number" or math.abs(got - want) > tol * math.max(1, math.abs(want)) then
    error(string.format("%s: got %.17g, want %.17g (tol %g)", what or "value", got, want, tol), 2)
  end
end

-- Element-wise comparison of a tensor with a nested table or another tensor.
function check.tensor(got, want, tol, what)
  local g = got:totable()
  local w = tensor.is_tensor(want) and want:totable() or want
  local function walk(a, b, path)
    if type(b) == "table" then
      if type(a) ~= "table" or #a ~= #b then
        error(string.format("%s%s: shape differs", what or "tensor", path), 4)
      end
      for i = 1, #b do walk(a[i], b[i], path .. "[" .. i .. "]") end
    else
      if math.abs(a - b) > (tol or 0) * math.max(1, math.abs(b)) then
        error(string.format("%s%s: got %.17g, want %.17g", what or "tensor", path, a, b), 4)
      end
    end
  end
  walk(g, w, "")
end

-- Calls f(...) expecting an error whose message contains `pattern` (plain text).
function check.raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("expected an error containing '" .. pattern .. "', got none", 2) end
  if not tostring(err):find(pattern, 1, true) then
    error("expected an error containing '" .. pattern .. "', got: " .. tostring(err), 2)
  end
end

-- Every element of a tensor in hexadecimal ("%a"), for comparing runs bit for bit.
function check.bits(t)
  t = t:reshape(t:numel())
  local out = {}
  for i = 1, t:numel() do out[i] = string.format("%a", t[i]) end
  return table.concat(out, " ")
end

-- |a - b| / max(|a|, |b|), the tensors' relative distance (0 for two zero tensors).
function check.rel_error(a, b)
  return (a - b):norm() / math.max(a:norm(), b:norm(), 1e-12)
end

-- Central differences of f() with respect to every element of the 1-D tensor v, written back
-- with apply(v) before each evaluation; step h (1e-5 unless given).
function check.numeric_gradient(f, v, apply, h)
  h = h or 1e-5
  local out = tensor.zeros(v:numel())
  for i = 1, v:numel() do
    local keep = v[i]
    v[i] = keep + h; apply(v); local up = f()
    v[i] = keep - h; apply(v); local down = f()
    v[i] = keep; apply(v)
    out[i] = (up - down) / (2 * h)
  end
  return out
end

-- A new table with the fields of base, then those of extra (options of a call varied one by one).
function check.with(base, extra)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(extra) do t[k] = v end
  return t
end

-- The whole contents of a file.
function check.read_file(path)
  local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s
end

return check
