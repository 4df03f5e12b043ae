-- The warm-up's wrapper (peers_wrk.py): runs SCRIPT and prints the first answer of each
-- thread that is not 2xx/3xx, so that a phase's failures can be told apart. The measured
-- run uses SCRIPT alone, as the peers' run.sh does.
dofile(os.getenv("BENCH_DIR") .. "/" .. os.getenv("SCRIPT"))
local shown = false
response = function(status, headers, body)
  if status >= 400 and not shown then
    shown = true
    print("failure: " .. status .. " " .. body:sub(1, 300):gsub("%s+", " "))
  end
end
