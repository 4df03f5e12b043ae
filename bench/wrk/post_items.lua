-- ours: POST /items (the Content Management API), the 6-field article of common.lua
-- TOKEN: an API token; MODEL_ID: the article model's id
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local token = os.getenv("TOKEN")
local model = os.getenv("MODEL_ID")
local n = 0
local hdrs = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local relationships = '"relationships":{"item_type":{"data":{"type":"item_type","id":"' .. model .. '"}}}'
request = function()
  n = n + 1
  return wrk.format("POST", nil, hdrs,
    '{"data":{"type":"item","attributes":' .. item_json(tid, n) .. ',' .. relationships .. '}}')
end
