-- wrk script for docs/performance.md: a bearer token on every request (from the TOKEN environment variable), and
-- with IF_NONE_MATCH set, that validator in If-None-Match (a client revalidating what it holds: 304 without a body).
local token = os.getenv("TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local tag = os.getenv("IF_NONE_MATCH")
if tag and tag ~= "" then wrk.headers["If-None-Match"] = tag end
done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors status %d, p50 %.2f ms, p99 %.2f ms\n", summary.requests,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
