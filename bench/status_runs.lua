-- wrk script for bench/status_bench.sh: GET /api/v1/schools/{D}/runs for random schools, with
-- the bearer token of MISYNC_BENCH_TOKEN. Schools are numbered as bench/gen_runs.cpp does.
local token = os.getenv("MISYNC_BENCH_TOKEN")
local schools = tonumber(os.getenv("MISYNC_BENCH_SCHOOLS") or "1500")
local headers = { ["Authorization"] = "Bearer " .. token }
local counter = 0

function init(args)
  counter = 0
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local i = math.random(0, schools - 1)
  local dfes = (660 + math.floor(i / 100)) * 10000 + 1000 + i % 100
  return wrk.format("GET", "/api/v1/schools/" .. dfes .. "/runs", headers)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("bench: requests %d in %.1f s: %.0f requests/s\n",
    summary.requests, seconds, summary.requests / seconds))
  io.write(string.format("bench: latency p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
  local e = summary.errors
  io.write(string.format("bench: errors connect %d, read %d, write %d, non-2xx %d, timeout %d\n",
    e.connect, e.read, e.write, e.status, e.timeout))
end
