-- Runs a rendered hostgate identity filter against stub Envoy requests.
--
--   luajit envoy-stub.lua FILTER.lua < requests   (or the same under Lua 5.4)
--
-- Each input line is one request: its headers as space-separated
-- `hexname:hexvalue` tokens (hex keeps any byte unambiguous; an empty line is
-- a request without headers). For each request one output line gives the
-- headers after envoy_on_request, in the same encoding. Before those, one
-- `global NAME` line names every global the filter defined.
--
-- With ENVOY_STUB_LEGACY_REPLACE=1, replace() overwrites only the first copy
-- of a header, as Envoy did up to 1.15 (CVE-2020-25017).

local legacy_replace = os.getenv('ENVOY_STUB_LEGACY_REPLACE') == '1'

local function unhex(s)
  return (s:gsub('%x%x', function(pair) return string.char(tonumber(pair, 16)) end))
end

local function hex(s)
  return (s:gsub('.', function(c) return string.format('%02x', string.byte(c)) end))
end

-- Envoy's header map: ordered, names case-insensitive, repeats allowed.
local function header_map(pairs_list)
  local list = pairs_list
  local map = {}
  function map:get(name)
    name = string.lower(name)
    local values = {}
    for _, h in ipairs(list) do
      if h[1] == name then values[#values + 1] = h[2] end
    end
    if #values == 0 then return nil end
    return table.concat(values, ',')
  end
  function map:remove(name)
    name = string.lower(name)
    local kept = {}
    for _, h in ipairs(list) do
      if h[1] ~= name then kept[#kept + 1] = h end
    end
    list = kept
  end
  function map:add(name, value)
    assert(type(value) == 'string', 'header value must be a string')
    list[#list + 1] = { string.lower(name), value }
  end
  function map:replace(name, value)
    if legacy_replace then
      for _, h in ipairs(list) do
        if h[1] == string.lower(name) then h[2] = value return end
      end
      return self:add(name, value)
    end
    self:remove(name)
    self:add(name, value)
  end
  function map:encode()
    local tokens = {}
    for _, h in ipairs(list) do tokens[#tokens + 1] = hex(h[1]) .. ':' .. hex(h[2]) end
    return table.concat(tokens, ' ')
  end
  return map
end

local before = {}
for name in pairs(_G) do before[name] = true end
dofile(arg[1])
local defined = {}
for name in pairs(_G) do
  if not before[name] then defined[#defined + 1] = name end
end
table.sort(defined)
for _, name in ipairs(defined) do io.write('global ', name, '\n') end

for line in io.lines() do
  local headers = {}
  for name, value in line:gmatch('(%x*):(%x*)') do
    headers[#headers + 1] = { string.lower(unhex(name)), unhex(value) }
  end
  local map = header_map(headers)
  local handle = {}
  function handle:headers() return map end
  envoy_on_request(handle)
  io.write(map:encode(), '\n')
end
