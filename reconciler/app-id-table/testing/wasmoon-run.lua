-- Loaded once per test process into wasmoon's Lua 5.4 state; returns the
-- function that runs one program (see wasmoon.ts). Each run gets a fresh
-- environment: its own copy of the globals and of every library table, with
-- the string metatable pointed at that copy, so nothing a program defines or
-- changes is seen by the next. stdin, stdout, arg and os.getenv behave as
-- under `luajit main.lua args...`; os.exit raises an error instead of ending
-- the test process.

local pristine = {}
for name, value in pairs(_G) do pristine[name] = value end
local LIBRARIES = { 'coroutine', 'io', 'math', 'os', 'string', 'table', 'utf8' }
local real_io, real_load, real_loadfile = io, load, loadfile
local string_meta = getmetatable('')
local pristine_string_meta = {}
for key, value in pairs(string_meta) do pristine_string_meta[key] = value end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

local function fresh_env(params, input, out)
  local env = copy(pristine)
  for _, name in ipairs(LIBRARIES) do env[name] = copy(pristine[name]) end
  env._G = env
  -- Not offered: modules and the debug library could reach the shared state.
  env.package, env.require, env.debug = nil, nil, nil
  env.io.stdin, env.io.stdout = input, out
  env.io.write = function(...) return out:write(...) end
  env.io.read = function(...) return input:read(...) end
  env.io.lines = function(name, ...)
    if name == nil then return input:lines(...) end
    return real_io.lines(name, ...)
  end
  env.print = function(...)
    local parts = table.pack(...)
    for i = 1, parts.n do parts[i] = tostring(parts[i]) end
    out:write(table.concat(parts, '\t', 1, parts.n), '\n')
  end
  env.os.getenv = function(name) return params.env[name] end
  env.os.exit = function() error('the program called os.exit', 2) end
  env.load = function(chunk, name, mode, e) return real_load(chunk, name, mode or 'bt', e or env) end
  env.loadfile = function(name, mode, e) return real_loadfile(name, mode or 'bt', e or env) end
  env.dofile = function(name) return assert(env.loadfile(name))() end
  env.arg = { [0] = params.main, table.unpack(params.args) }
  return env
end

-- params_file returns { main=, args={}, env={}, stdin=path, stdout=path }.
-- Returns '' on success, else the error with a traceback.
return function(params_file)
  local params = assert(real_loadfile(params_file, 't', {}))()
  local input = assert(real_io.open(params.stdin, 'rb'))
  local out = assert(real_io.open(params.stdout, 'wb'))
  local env = fresh_env(params, input, out)
  string_meta.__index = env.string
  local ok, err = xpcall(function()
    return assert(env.loadfile(params.main, 't'))(table.unpack(params.args))
  end, debug.traceback)
  -- Put back the string metatable whole: a program may have changed any field.
  for key in pairs(string_meta) do string_meta[key] = nil end
  for key, value in pairs(pristine_string_meta) do string_meta[key] = value end
  out:close()
  input:close()
  env = nil
  collectgarbage('collect')
  if ok then return '' end
  return tostring(err)
end
