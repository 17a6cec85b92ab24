-- wrk script: 90% GET /stats/ and 10% POST /add_batch/ (every 10th request, by a per-thread counter),
-- the same requests as stats.lua and ingest.lua.
-- Env: STATS_PATH, INGEST_PATH, BENCH_NAME, CHECK=0, MAX_REQUESTS, VALUES, BODY_SET.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local values = tonumber(common.env("VALUES", tostring(common.VALUES_PER_BATCH)))
local stats, ingest, counter, si, ii

function setup(thread) common.setup(thread) end

function init(args)
  stats = common.stats_requests(common.env("STATS_PATH", "/stats/"))
  ingest = common.ingest_requests(common.env("INGEST_PATH", "/add_batch/"), values, tonumber(common.env("BODY_SET", "42")))
  counter, si, ii = 0, 0, 0
  common.init_checks()
end

function request()
  counter = counter + 1
  if counter % 10 == 0 then
    ii = ii % #ingest + 1
    return ingest[ii]
  end
  si = si % #stats + 1
  return stats[si]
end

function done(summary, latency)
  -- Every 10th request is a batch: points/s = rps / 10 * values.
  common.report("mixed", summary, latency,
    { { "points_per_s", function(rps) return string.format("%.0f", rps / 10 * values) end } })
end
