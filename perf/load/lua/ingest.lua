-- wrk script: POST /add_batch/ with 10 precomputed bodies (SYM0..SYM9, 10,000 4-decimal prices each),
-- built once per thread in init() and sent round-robin. The bodies are the same in every run (fixed BODY_SET),
-- so the ceiling's read-and-discard endpoint gets byte-identical requests.
-- Path: script argument (wrk ... -- /mvc/discard) or env INGEST_PATH; default /add_batch/.
-- Env: BENCH_NAME, CHECK=0, MAX_REQUESTS, VALUES (per batch, default 10000), BODY_SET (default 42).
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local values = tonumber(common.env("VALUES", tostring(common.VALUES_PER_BATCH)))
local requests_list, n, i

function setup(thread) common.setup(thread) end

function init(args)
  requests_list = common.ingest_requests(args[1] or common.env("INGEST_PATH", "/add_batch/"),
    values, tonumber(common.env("BODY_SET", "42")))
  n, i = #requests_list, 0
  common.init_checks()
end

function request()
  i = i % n + 1
  return requests_list[i]
end

function done(summary, latency)
  common.report("ingest", summary, latency,
    { { "points_per_s", function(rps) return string.format("%.0f", rps * values) end },
      { "values_per_batch", function() return tostring(values) end } })
end
