-- wrk script of the Widgets benchmark: sends the requests listed in a file, in turn (or at random), and prints a JSON
-- summary on its last line for bench/Load to read.
--
--   wrk -t1 -c64 -d15s -s bench/wrk/requests.lua http://127.0.0.1:5080 -- REQUESTS_FILE [random]
--
-- REQUESTS_FILE has one request per line, tab-separated: METHOD, PATH, headers ("Name: value" joined by " | "), BODY
-- (may be empty). bench/Load writes these files: the POST bodies, bearer tokens and Basic credentials of each scenario.
local requests = {}
local count = 0
local next_index = 0
local pick_random = false

function init(args)
  for line in io.lines(args[1]) do
    local method, path, headers, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if method then
      local h = {}
      for header in (headers .. " | "):gmatch("(.-) | ") do
        local name, value = header:match("^([^:]+):%s*(.*)$")
        if name then
          h[name] = value
        end
      end
      requests[#requests + 1] = wrk.format(method, path, h, body ~= "" and body or nil)
    end
  end
  count = #requests
  if count == 0 then
    error("no requests in " .. tostring(args[1]))
  end
  pick_random = args[2] == "random"
  math.randomseed(os.time())
end

function request()
  if pick_random then
    return requests[math.random(count)]
  end
  next_index = next_index % count + 1
  return requests[next_index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"durationUs":%d,"requests":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,' ..
    '"p50Us":%d,"p90Us":%d,"p99Us":%d,"p999Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end
