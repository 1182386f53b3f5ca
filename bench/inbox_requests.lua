-- Replays the pre-signed inbox POSTs that bench/inbox.py writes, each one once, in order.
--
--   wrk -t2 -c64 -d15s --latency -s bench/inbox_requests.lua http://127.0.0.1:PORT/inbox -- PREFIX [OFFSETS]
--
-- Thread N (1-based) reads PREFIX.N: records "<length>\n<raw HTTP request>", back to back.
-- OFFSETS ("120,118") skips that many requests per thread (those a warm-up already sent).
-- When a thread runs out it starts again from its first request and counts a replay (a
-- replayed activity id is a duplicate: the node answers 202 but has no new work).
-- done() prints lines starting with "KITH " that bench/inbox.py parses.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

function init(args)
   local f = assert(io.open(args[1] .. "." .. id, "rb"))
   local data = f:read("*a")
   f:close()
   reqs = {}
   local pos, size = 1, #data
   while pos <= size do
      local nl = string.find(data, "\n", pos, true)
      local len = tonumber(string.sub(data, pos, nl - 1))
      reqs[#reqs + 1] = string.sub(data, nl + 1, nl + len)
      pos = nl + len + 1
   end
   data = nil
   local offsets = {}
   for n in string.gmatch(args[2] or "", "%d+") do offsets[#offsets + 1] = tonumber(n) end
   offset = offsets[id] or 0
   sent = 0       -- requests handed to wrk by this thread in this run
   replayed = 0
   statuses = {}  -- status code (as text) -> count
end

function request()
   local i = offset + sent
   sent = sent + 1
   if i >= #reqs then
      replayed = replayed + 1
   end
   return reqs[(i % #reqs) + 1]
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("KITH summary duration_us=%d requests=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
   io.write(string.format("KITH latency_us p50=%d p90=%d p99=%d p999=%d max=%d\n",
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
   for _, thread in ipairs(threads) do
      io.write(string.format("KITH thread id=%d sent=%d replayed=%d\n",
         thread:get("id"), thread:get("sent"), thread:get("replayed")))
      local counts = thread:get("statuses")
      for code, n in pairs(counts) do
         io.write(string.format("KITH status code=%s count=%d\n", code, n))
      end
   end
end
