-- ours: POST /rest/db/article (the record API)  body {"record": [{...} x BATCH]}
-- TOKEN: an API token
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
request = batch_request(function(items) return '{"record":[' .. items .. ']}' end)
