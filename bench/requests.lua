-- wrk script: replays a list of requests round-robin and prints exact percentiles.
-- usage: wrk -s bench/requests.lua URL -- PATHS_FILE BODIES_FILE|- METHOD [Header:value ...]
local paths, bodies, headers = {}, {}, {}
local method = "GET"
local idx = 0
-- PAUSE_MS (environment): wait that long between a response and the next request on a connection
local pause = tonumber(os.getenv("PAUSE_MS") or "0") or 0
if pause > 0 then
  function delay() return pause end
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  if args[2] ~= "-" then
    for line in io.lines(args[2]) do bodies[#bodies + 1] = line end
  end
  method = args[3] or "GET"
  for i = 4, #args do
    local k, v = args[i]:match("^([^:]+):%s*(.*)$")
    if k then headers[k] = v end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
  idx = math.random(math.max(#paths, #bodies))
end

-- the i-th request takes the i-th path and the i-th body, each list read round-robin on its own: one path
-- with many bodies (the engines' and multi-search scenarios) sends every body in turn
function request()
  idx = idx % math.max(#paths, #bodies) + 1
  local body = nil
  if #bodies > 0 then body = bodies[(idx - 1) % #bodies + 1] end
  return wrk.format(method, paths[(idx - 1) % #paths + 1], headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d socket_errors=%d non2xx=%d p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
