-- wrk script: POST realistic referrals, each with a unique source reference (so none is a duplicate).
local counter = 0
local template = nil

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = io.open(os.getenv("BENCH_BODY"), "r")
  template = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
end

-- Letters only: the repeat-victim match ignores digits in a family name, and each referral is a new victim.
local function letters(n)
  local out = ""
  repeat
    out = out .. string.char(97 + n % 26)
    n = math.floor(n / 26)
  until n == 0
  return out
end

-- The run's name in letters too: each run's victims are new, not repeats of the previous run's.
local run_letters = nil

function request()
  if run_letters == nil then
    run_letters = os.getenv("BENCH_RUN"):gsub("%d", function(d) return string.char(97 + tonumber(d)) end):gsub("[^%a]", "")
  end
  counter = counter + 1
  local reference = string.format("%s/%d/%d", os.getenv("BENCH_RUN"), thread_id, counter)
  local body = template:gsub("__REFERENCE__", reference):gsub("__FAMILY__", "Bench" .. run_letters .. letters(thread_id) .. letters(counter))
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if os.getenv("BENCH_IDEMPOTENCY") == "1" then
    headers["Idempotency-Key"] = reference
  end
  return wrk.format(nil, nil, headers, body)
end

-- BENCH_DELAY_MS: each connection waits this long before its next request, to hold the load below the peak
-- (the rate/latency curve); 0 is as fast as the answers come.
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

function delay()
  return delay_ms
end
