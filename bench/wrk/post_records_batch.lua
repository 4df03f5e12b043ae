-- ours: POST /rest/db/article (the record API)  body {"record": [{...} x BATCH]}
-- TOKEN: an API token
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local token = os.getenv("TOKEN")
local batch = tonumber(os.getenv("BATCH") or "100")
local n = 0
local hdrs = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
request = function()
  local parts = {}
  for i = 1, batch do
    n = n + 1
    parts[i] = item_json(tid, n)
  end
  return wrk.format("POST", nil, hdrs, '{"record":[' .. table.concat(parts, ",") .. ']}')
end
