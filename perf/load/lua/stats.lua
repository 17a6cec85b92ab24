-- wrk script: GET /stats/?symbol=SYM<i>&k=<j> over SYM0..SYM9 x k 1..8, round-robin.
-- Path prefix: script argument (wrk ... -- /mvc/stats) or env STATS_PATH; default /stats/.
-- Env: BENCH_NAME (RESULT name), CHECK=0 (skip per-response status checks), MAX_REQUESTS.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local requests_list, n, i

function setup(thread) common.setup(thread) end

function init(args)
  requests_list = common.stats_requests(args[1] or common.env("STATS_PATH", "/stats/"))
  n, i = #requests_list, 0
  common.init_checks()
end

function request()
  i = i % n + 1
  return requests_list[i]
end

function done(summary, latency)
  common.report("stats", summary, latency)
end
