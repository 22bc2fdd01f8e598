import CLua
import CLuaShim

/// How the interactive session prints results: as `print` does, except that a plain table (one
/// without `__tostring` or `__name` in its metatable) is shown by its contents:
/// `{1, 2, 3}`, `{accuracy = {0.31, 0.52, ... (100 items)}, loss = {...}}`. Written in Lua and
/// run under lua_pcall: a `__tostring` of a value inside may raise, and nothing here may longjmp
/// over Swift. Raw access only (next, rawget, rawlen), so no `__index` or `__pairs` runs; the
/// library functions it uses are captured when the session starts, before user code can replace them.
public enum ValuePrinter {
    /// The chunk returns the printing function. Limits: 3 levels of nesting, 20 items at the
    /// top and 5 inside, 40 fields per table; tables met again on the way down show as <cycle>.
    static let source = #"""
    local G = ...
    local next, type, tostring, rawlen, rawget, getmetatable, select = next, type, tostring, rawlen, rawget, getmetatable, select
    local format, concat, sort, find, rep, gsub = string.format, table.concat, table.sort, string.find, string.rep, string.gsub
    local pack, unpack, mathtype, min = table.pack, table.unpack, math.type, math.min

    -- A table shown by its contents: no metatable, or one without __tostring and __name.
    local function plain(v)
      if type(v) ~= "table" then return false end
      local mt = getmetatable(v)
      return type(mt) ~= "table" or (rawget(mt, "__tostring") == nil and rawget(mt, "__name") == nil)
    end

    local function key_text(k)
      if type(k) == "string" and find(k, "^[%a_][%w_]*$") then return k end
      if type(k) == "string" then return "[" .. format("%q", k) .. "]" end
      return "[" .. tostring(k) .. "]"
    end

    local function scalar(v)
      if type(v) == "string" then return (gsub(format("%q", v), "\\\n", "\\n")) end
      return tostring(v)
    end

    local show
    function show(v, depth, path)
      if not plain(v) then return scalar(v) end
      if path[v] then return "<cycle>" end
      local n = rawlen(v)
      if depth > 3 then return n > 0 and format("{... (%d items)}", n) or "{...}" end
      path[v] = true
      local parts, maxItems = {}, depth == 1 and 20 or 5
      for i = 1, min(n, maxItems) do parts[#parts + 1] = show(rawget(v, i), depth + 1, path) end
      if n > maxItems then parts[#parts + 1] = format("... (%d items)", n) end
      -- The other keys, sorted (numbers first, then strings), at most 40.
      local keys, more = {}, 0
      for k in next, v do
        if not (mathtype(k) == "integer" and k >= 1 and k <= n) then
          if #keys < 200 then keys[#keys + 1] = k else more = more + 1 end
        end
      end
      sort(keys, function(a, b)
        local ta, tb = type(a), type(b)
        if ta ~= tb then return ta < tb end
        if ta == "number" or ta == "string" then return a < b end
        return tostring(a) < tostring(b)
      end)
      if #keys > 40 then more = more + #keys - 40 end
      for i = 1, min(#keys, 40) do
        local k = keys[i]
        parts[#parts + 1] = key_text(k) .. " = " .. show(rawget(v, k), depth + 1, path)
      end
      if more > 0 then parts[#parts + 1] = format("... (%d more fields)", more) end
      path[v] = nil
      if #parts == 0 then return "{}" end
      local line = "{" .. concat(parts, ", ") .. "}"
      -- Only the outermost table spreads over lines (one field per line): the limits keep the
      -- ones inside to a line each.
      if depth > 1 or #line <= 100 then return line end
      return "{\n  " .. concat(parts, ",\n  ") .. "\n}"
    end

    -- Prints the values as print does, each plain table through show.
    return function(...)
      local values = pack(...)
      for i = 1, values.n do
        if plain(values[i]) then values[i] = show(values[i], 1, {}) end
      end
      local print = rawget(G, "print")
      return print(unpack(values, 1, values.n))
    end
    """#

    /// Loads the printing function and leaves it on the stack (false when it did not load,
    /// e.g. out of memory: the session then prints with `print`).
    public static func push(_ host: LuaHost) -> Bool {
        guard dyn_loadstring(host.L, source, "=(value printer)") == LUA_OK else { host.lua.pop(); return false }
        lua_rawgeti(host.L, dyn_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        guard host.call(nargs: 1, nresults: 1) == .ok, host.lua.isFunction(-1) else {
            return false
        }
        return true
    }
}
