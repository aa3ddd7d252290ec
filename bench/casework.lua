-- wrk script: GET one page of a list with a bearer key (BENCH_KEY), the path from BENCH_PATH.
function init(args)
  wrk.method = "GET"
  wrk.path = os.getenv("BENCH_PATH")
  local key = os.getenv("BENCH_KEY")
  if key and key ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. key
  end
end

-- BENCH_DELAY_MS: each connection waits this long before its next request, holding the load at a given rate.
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

function delay()
  return delay_ms
end
