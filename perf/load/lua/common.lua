-- Shared by stats.lua, ingest.lua and mixed.lua (loaded with dofile, once per Lua state):
-- the precomputed requests, the optional per-response checks and the one-line RESULT report.
--
-- wrk runs this file in every thread's Lua state (setup/init/request/response) and once more in the
-- main state (setup/done). Globals set in init() live in the thread state only, so done() reads
-- per-thread counters through thread:get() on the threads collected in setup().

local M = {}

M.SYMBOLS = 10          -- SYM0..SYM9, TradeStat's default symbol limit
M.MAX_K = 8
M.VALUES_PER_BATCH = 10000

-- An environment variable, or the default when unset or empty.
function M.env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

-- GET requests for every (symbol, k), symbols varying fastest so that consecutive requests
-- hit different symbols. prefix: "/stats/" (TradeStat) or "/mvc/stats" (ceiling).
function M.stats_requests(prefix)
  local reqs = {}
  for k = 1, M.MAX_K do
    for s = 0, M.SYMBOLS - 1 do
      reqs[#reqs + 1] = wrk.format("GET", string.format("%s?symbol=SYM%d&k=%d", prefix, s, k))
    end
  end
  return reqs
end

-- A 4-decimal price as the shortest JSON number (100.1, not 100.1000), from integer ticks of 0.0001.
local function price(ticks)
  local s = string.format("%d.%04d", math.floor(ticks / 10000), ticks % 10000)
  return (s:gsub("0+$", ""):gsub("%.$", ""))
end

-- One add_batch body per symbol: a random walk of 4-decimal prices around 100 + 10*symbol.
-- A fixed body set (the random generator's start) gives every thread, every run and both servers byte-identical bodies.
function M.ingest_bodies(values_per_batch, body_set)
  math.randomseed(body_set)
  local bodies = {}
  for s = 0, M.SYMBOLS - 1 do
    local ticks = (100 + 10 * s) * 10000 + math.random(0, 9999)
    local values = {}
    for i = 1, values_per_batch do
      ticks = ticks + math.random(-25, 25)
      if ticks < 1 then ticks = 1 end
      values[i] = price(ticks)
    end
    bodies[#bodies + 1] = string.format('{"symbol":"SYM%d","values":[%s]}', s, table.concat(values, ","))
  end
  return bodies
end

function M.ingest_requests(path, values_per_batch, body_set)
  local reqs = {}
  for i, body in ipairs(M.ingest_bodies(values_per_batch, body_set)) do
    -- A fresh table each time: wrk.format writes Host and Content-Length into the one it gets.
    -- wrk.headers holds Host with the port (set by wrk.init) and any -H headers.
    local headers = { ["Content-Type"] = "application/json" }
    for name, value in pairs(wrk.headers) do headers[name] = value end
    reqs[i] = wrk.format("POST", path, headers, body)
  end
  return reqs
end

-- Threads seen in setup() (main state), to read their counters in done().
local threads = {}

function M.setup(thread)
  threads[#threads + 1] = thread
end

-- Per-thread state for the checks. CHECK=0 leaves response() undefined: wrk then skips parsing
-- headers and bodies, and only wrk's own count of statuses > 399 is reported.
-- MAX_REQUESTS=N ends the run when a thread got N responses (a request-count bound wrk lacks
-- natively); exact with -t1 (and -c1: no request still in flight).
-- PROGRESS_FILE=path (add_batch only): every 20 answers, write "symbols min max" of the symbols'
-- ever-added counts as the server reported them, so a shell loop can follow a long fill.
function M.init_checks()
  non2xx = 0
  responses = 0
  local max_requests = tonumber(M.env("MAX_REQUESTS", "0"))
  local progress_file = M.env("PROGRESS_FILE", nil)
  checked = M.env("CHECK", "1") ~= "0" or max_requests > 0 or progress_file ~= nil
  if not checked then
    response = nil
    return
  end
  local counts = {}
  response = function(status, headers, body)
    responses = responses + 1
    if status < 200 or status > 299 then
      non2xx = non2xx + 1
    elseif progress_file then
      local symbol, count = body:match('"symbol":"([^"]+)".-"count":(%d+)')
      if symbol then counts[symbol] = tonumber(count) end
      if responses % 20 == 0 then M.write_progress(progress_file, counts) end
    end
    if max_requests > 0 and responses == max_requests then
      wrk.thread:stop()
      M.interrupt_wrk()
    end
  end
end

-- Ends the whole wrk run now, with a correct duration in the summary: wrk's main thread sleeps for the
-- full -d even when every thread stopped, and only SIGINT (wrk's Ctrl-C handling) wakes it. The kernel may
-- hand the signal to a worker thread, which only sets wrk's stop flag, so a short background loop repeats it
-- until wrk is gone (at most 10 x 0.2 s). Not os.execute: system() ignores SIGINT while the command runs.
function M.interrupt_wrk()
  local loop = io.popen("(for i in 1 2 3 4 5 6 7 8 9 10; do kill -INT $PPID || exit 0; sleep 0.2; done) >/dev/null 2>&1 &")
  if loop then loop:close() end
end

-- Written to a temporary name and renamed, so a reader never sees a half-written line.
function M.write_progress(path, counts)
  local symbols, min, max = 0, math.huge, 0
  for _, c in pairs(counts) do
    symbols = symbols + 1
    if c < min then min = c end
    if c > max then max = c end
  end
  if symbols == 0 then return end
  local f = io.open(path .. ".tmp", "w")
  if not f then return end
  f:write(string.format("%d %d %d\n", symbols, min, max))
  f:close()
  os.rename(path .. ".tmp", path)
end

-- One machine-readable line; extra: a table of more key=value pairs (e.g. points/s).
function M.report(default_name, summary, latency, extra)
  local non2xx, counted = 0, false
  for _, t in ipairs(threads) do
    if t:get("checked") then
      non2xx = non2xx + t:get("non2xx")
      counted = true
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local rps = summary.requests / seconds
  local line = string.format(
    "RESULT name=%s rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d requests=%d errors_non2xx=%s errors_status=%d errors_socket=%d duration_s=%.2f",
    M.env("BENCH_NAME", default_name), rps,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests, counted and tostring(non2xx) or "na", e.status,
    e.connect + e.read + e.write + e.timeout, seconds)
  for _, kv in ipairs(extra or {}) do
    line = line .. string.format(" %s=%s", kv[1], kv[2](rps))
  end
  io.write(line, "\n")
end

return M
