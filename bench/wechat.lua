-- wrk script for the DropMate webhook benchmark (see bench/webhook.sh and BENCHMARKS.md).
--
--   wrk -t2 -c32 -d15s --latency -s bench/wechat.lua http://127.0.0.1:8080 -- requests.tsv 2
--
-- requests.tsv comes from `dropmate loadgen`: one pre-signed request per line, `path?query<TAB>body`,
-- or, with `--http HOST --split THREADS`, requests.tsv.0, .1, … holding each thread's complete requests.
-- Arguments after `--`: the file and the number of wrk threads (-t); env BENCH_REQUESTS and
-- BENCH_THREADS work too. Thread k sends the requests whose index % threads == k, each once, in order. If it runs out it starts again and says so: repeated MsgIds hit the server's
-- dedupe, so a cycled run measures less work per request than it claims.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local function arguments(args)
   local rest = {}
   for i = 1, #args do
      if args[i] ~= "--" then rest[#rest + 1] = args[i] end
   end
   local file = rest[1] or os.getenv("BENCH_REQUESTS")
   local count = tonumber(rest[2] or os.getenv("BENCH_THREADS") or "")
   if not file or not count then
      error("usage: wrk ... -s bench/wechat.lua URL -- REQUESTS_FILE THREADS")
   end
   return file, count
end

function init(args)
   source_file, source_threads = arguments(args)
   loaded = 0
   position = 0
   cycles = 0
   once = os.getenv("BENCH_ONCE") == "1"
end

-- Loads this thread's requests, so that sending one costs wrk a table lookup: the load generator shares the
-- machine with the server, and each microsecond it spends per request is taken from the server.
-- It runs on the thread's first request(), not in init(): wrk starts each thread as soon as its init() returns,
-- so loading there let thread 1 run alone while thread 2 loaded. This way both load at once, and the loading
-- time counts in wrk's duration (which makes req/s read slightly low, never high).
--
-- FILE.<thread> (`dropmate loadgen --http HOST --split THREADS`, what bench/webhook.sh writes) holds this
-- thread's complete requests, each ended by a NUL byte: loading is one read and one slice per request. Without
-- it, FILE's `path?query<TAB>body` lines are read and every thread-th one built into a request here.
local function load()
   requests = {}
   local own = io.open(source_file .. "." .. id, "rb")
   if own then
      local data = own:read("*a")
      own:close()
      local position = 1
      while true do
         local stop = data:find("\0", position, true)
         if not stop then break end
         requests[#requests + 1] = data:sub(position, stop - 1)
         position = stop + 1
      end
   else
      local prefix = " HTTP/1.1\r\nHost: " .. wrk.host .. (wrk.port and (":" .. wrk.port) or "") ..
         "\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: "
      local index = 0
      for line in io.lines(source_file) do
         if index % source_threads == id then
            local tab = line:find("\t", 1, true)
            local body = line:sub(tab + 1)
            requests[#requests + 1] = "POST " .. line:sub(1, tab - 1) .. prefix .. #body .. "\r\n\r\n" .. body
         end
         index = index + 1
      end
   end
   if #requests == 0 then error("no requests for thread " .. id .. " in " .. source_file) end
   loaded = #requests
end

function request()
   if loaded == 0 then load() end
   position = position + 1
   if position > loaded then
      -- BENCH_ONCE (the warm-up): one pass over the file, then this thread stops, so every customer in it has
      -- written once however fast the machine is.
      if once then wrk.thread:stop() end
      position = 1
      cycles = cycles + 1
   end
   return requests[position]
end

-- No response() callback: wrk would hand every response to Lua (headers as a table, the body as a string),
-- which cost it more than building the request did. Non-2xx answers are counted by wrk itself
-- (summary.errors.status); bench/webhook.sh reads what the server did with each message from its /metrics.

function done(summary, latency, requests)
   local totals = { loaded = 0, cycles = 0 }
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + (thread:get(name) or 0)
      end
   end
   local seconds = summary.duration / 1e6
   local errors = summary.errors
   local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
   io.write("\n--- DropMate webhook benchmark ---\n")
   io.write(string.format("requests:        %d in %.2f s = %.0f req/s (loaded %d distinct)\n",
      summary.requests, seconds, summary.requests / seconds, totals.loaded))
   io.write(string.format("answers:         %d not 2xx, %d socket errors\n", errors.status, socket_errors))
   for _, p in ipairs({ 50, 90, 99, 99.9 }) do
      io.write(string.format("latency p%-5s   %.3f ms\n", tostring(p), latency:percentile(p) / 1000))
   end
   io.write(string.format("latency max      %.3f ms\n", latency.max / 1000))
   if totals.cycles > 0 then
      io.write(string.format("WARNING: the request file ran out %d time(s); repeated MsgIds were answered by dedupe. " ..
         "Generate more requests (BENCH_COUNT).\n", totals.cycles))
   end
   io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f non200=%d socket_errors=%d cycles=%d\n",
      summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency:percentile(99.9) / 1000, errors.status, socket_errors, totals.cycles))
end
