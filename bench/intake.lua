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

function request()
  counter = counter + 1
  local reference = string.format("%s/%d/%d", os.getenv("BENCH_RUN"), thread_id, counter)
  local body = template:gsub("__REFERENCE__", reference)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if os.getenv("BENCH_IDEMPOTENCY") == "1" then
    headers["Idempotency-Key"] = reference
  end
  return wrk.format(nil, nil, headers, body)
end
