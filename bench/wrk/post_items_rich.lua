-- ours: POST /items of the 10-field post of bench/create_records.py: two localized fields,
-- two blocks, a link and an upload, and a unique slug.
-- TOKEN; POST_MODEL, QUOTE_MODEL (model ids); CATEGORY_ID (a record); UPLOAD_ID; RUN_ID
-- (set by peers_wrk.py for each wrk run: the slugs of one run never meet another's)
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local token = os.getenv("TOKEN")
local run = os.getenv("RUN_ID")
local n = 0
local hdrs = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local function rel(id)
  return '"relationships":{"item_type":{"data":{"type":"item_type","id":"' .. id .. '"}}}'
end
local quote = '{"type":"item","attributes":{"text":"A quote"},' .. rel(os.getenv("QUOTE_MODEL")) .. '}'
local fixed = '"subtitle":{"en":"Fast","it":"Veloce"},'
  .. '"content":{"en":"' .. BODY_TEXT .. '","it":"' .. BODY_TEXT .. '"},'
  .. '"category":"' .. os.getenv("CATEGORY_ID") .. '",'
  .. '"cover":{"upload_id":"' .. os.getenv("UPLOAD_ID") .. '","alt":"Cover"},'
  .. '"sections":[' .. quote .. ',' .. quote .. '],'
  .. '"published_on":"2024-05-01","rating":4,"featured":true'
local model = rel(os.getenv("POST_MODEL"))
request = function()
  n = n + 1
  local attributes = string.format('{"title":"Rich %d-%d","slug":"rich-%s-%d-%d",', tid, n, run, tid, n)
    .. fixed .. '}'
  return wrk.format("POST", nil, hdrs,
    '{"data":{"type":"item","attributes":' .. attributes .. ',' .. model .. '}}')
end
