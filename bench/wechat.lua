-- wrk script for the DropMate webhook benchmark (see bench/webhook.sh and BENCHMARKS.md).
--
--   wrk -t2 -c32 -d15s --latency -s bench/wechat.lua http://127.0.0.1:8080 -- requests.tsv 2
--
-- requests.tsv comes from `dropmate loadgen`: one pre-signed request per line, `path?query<TAB>body`.
-- Arguments after `--`: the file and the number of wrk threads (-t); env BENCH_REQUESTS and
-- BENCH_THREADS work too. Thread k loads only the lines whose index % threads == k and sends each
-- once, in order. If it runs out it starts again and says so: repeated MsgIds hit the server's
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
   local file, thread_count = arguments(args)
   local started = os.clock()
   -- Keep the raw lines and build each request when it is sent: loading stays short, which
   -- matters because wrk starts each thread as soon as it has loaded (see done()).
   lines = {}
   local index = 0
   for line in io.lines(file) do
      if index % thread_count == id then lines[#lines + 1] = line end
      index = index + 1
   end
   prefix = "Host: " .. wrk.host .. (wrk.port and (":" .. wrk.port) or "") ..
      "\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: "
   if #lines == 0 then error("no requests for thread " .. id .. " in " .. file) end
   loaded = #lines
   load_seconds = os.clock() - started
   position = 0
   cycles = 0
   non200 = 0
   replies = 0
   acknowledgements = 0
end

function request()
   position = position + 1
   if position > loaded then
      position = 1
      cycles = cycles + 1
   end
   local line = lines[position]
   local tab = line:find("\t", 1, true)
   local body = line:sub(tab + 1)
   return "POST " .. line:sub(1, tab - 1) .. " HTTP/1.1\r\n" .. prefix .. #body .. "\r\n\r\n" .. body
end

function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
   elseif body:sub(1, 1) == "<" then
      replies = replies + 1
   else
      acknowledgements = acknowledgements + 1
   end
end

function done(summary, latency, requests)
   local totals = { loaded = 0, cycles = 0, non200 = 0, replies = 0, acknowledgements = 0 }
   local head_start = 0
   for i, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + (thread:get(name) or 0)
      end
      -- wrk starts each thread right after loading it, so thread 1 runs alone while the others load.
      if i > 1 then head_start = head_start + (thread:get("load_seconds") or 0) end
   end
   local seconds = summary.duration / 1e6
   local errors = summary.errors
   local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
   io.write("\n--- DropMate webhook benchmark ---\n")
   io.write(string.format("requests:        %d in %.2f s = %.0f req/s (loaded %d distinct)\n",
      summary.requests, seconds, summary.requests / seconds, totals.loaded))
   io.write(string.format("conservative:    %.0f req/s (counting the %.2f s the other threads spent loading)\n",
      summary.requests / (seconds + head_start), head_start))
   io.write(string.format("answers:         %d replies, %d acknowledgements, %d non-200, %d socket errors\n",
      totals.replies, totals.acknowledgements, totals.non200, socket_errors))
   for _, p in ipairs({ 50, 90, 99, 99.9 }) do
      io.write(string.format("latency p%-5s   %.3f ms\n", tostring(p), latency:percentile(p) / 1000))
   end
   io.write(string.format("latency max      %.3f ms\n", latency.max / 1000))
   if totals.cycles > 0 then
      io.write(string.format("WARNING: the request file ran out %d time(s); repeated MsgIds were answered by dedupe. " ..
         "Generate more requests (BENCH_COUNT).\n", totals.cycles))
   end
   io.write(string.format("RESULT rps=%.0f conservative_rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f non200=%d socket_errors=%d cycles=%d\n",
      summary.requests / seconds, summary.requests / (seconds + head_start),
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency:percentile(99.9) / 1000, totals.non200, socket_errors, totals.cycles))
end
