-- wrk script for the soak (bench/soak.sh): bench/wechat.lua's pre-signed requests, sent at a steady rate.
--
--   SOAK_THREAD_RATE=750 wrk -t2 -c16 -d60s --latency -s bench/soak.lua http://127.0.0.1:8080 -- requests.tsv 2
--
-- wrk sends as fast as the server answers; here each thread sends SOAK_THREAD_RATE requests a second instead,
-- on a fixed schedule: every request takes the thread's next slot (`interval` after the previous one), and
-- wrk's delay() holds it until then. A thread that falls behind (the server is slower than the rate) sends at
-- once, but never bursts more than a second's worth to catch up. Each thread sends its file once and then stops
-- (wrk itself still waits out -d, so give it a few seconds' slack): the next minute's file goes on from where this
-- one ended, and every customer's conversation stays in order. done() adds a `SOAK` line: the requests a second
-- from the first request to the last thread's stop, and whether every thread sent its whole file. Latency is
-- measured from the moment a request is written, as in wechat.lua.
dofile("bench/wechat.lua")

local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
   int clock_gettime(int clock_id, soak_timespec *tp);
]]
local now_buffer = ffi.new("soak_timespec")
local function now_ms()
   ffi.C.clock_gettime(1, now_buffer)  -- CLOCK_MONOTONIC
   return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

local wechat_setup = setup
local soak_threads = {}
function setup(thread)
   wechat_setup(thread)
   table.insert(soak_threads, thread)
end

local wechat_init = init
function init(args)
   wechat_init(args)
   local rate = tonumber(os.getenv("SOAK_THREAD_RATE") or "")
   if not rate or rate <= 0 then error("SOAK_THREAD_RATE must be the requests per second of each wrk thread") end
   interval_ms = 1000 / rate
end

function delay()
   local now = now_ms()
   if not next_slot then next_slot = now end
   next_slot = next_slot + interval_ms
   if next_slot < now - 1000 then next_slot = now end
   local wait = next_slot - now
   if wait <= 0 then return 0 end
   return wait
end

local wechat_request = request
function request()
   if not started_at then started_at = now_ms() end
   if loaded > 0 and position >= loaded then
      -- Everything sent: stop this thread. Whatever goes out before the loop ends is a harmless health check.
      if not stopped_at then stopped_at = now_ms() end
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
   end
   return wechat_request()
end

local wechat_done = done
function done(summary, latency, requests)
   wechat_done(summary, latency, requests)
   local first, last, finished = nil, 0, 1
   for _, thread in ipairs(soak_threads) do
      local started, stopped = thread:get("started_at"), thread:get("stopped_at")
      if started and (not first or started < first) then first = started end
      if stopped then last = math.max(last, stopped) else finished = 0 end
   end
   local seconds = summary.duration / 1e6
   if finished == 1 and first and last > first then seconds = (last - first) / 1000 end
   io.write(string.format("SOAK rps=%.0f seconds=%.2f finished=%d\n", summary.requests / seconds, seconds, finished))
end
