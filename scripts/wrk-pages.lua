-- Open dashboard pages that listen to server-sent events (scripts/bench-dashboard.sh with
-- POLLERS=sse): the stream says the version moved (every commit, under load), and each page fetches
-- itself again, at most about once a second. The streams themselves are scripts/sse-listeners.py.
--
--   wrk -t1 -c200 -d15s -H "Cookie: wameter_session=…" -s scripts/wrk-pages.lua URL -- /accounts/ID?month=M
local page = "/"

function init(args)
    page = args[1] or page
end

function request()
    return wrk.format("GET", page)
end

function delay()
    return 1000
end
