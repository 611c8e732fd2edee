-- Open dashboard pages as wrk sees them (scripts/bench-dashboard.sh with POLLERS=wrk): each
-- connection asks for /dashboard/version and fetches the page, about once a second each, as a
-- page's script does under load (the version moves with every commit). A client far cheaper than
-- Python threads, so that the figure is the server's cost rather than the pollers'.
--
--   wrk -t1 -c200 -d15s -H "Cookie: wameter_session=…" -s scripts/wrk-pollers.lua URL -- /accounts/ID?month=M
local page = "/"
local count = 0

function init(args)
    page = args[1] or page
end

function request()
    count = count + 1
    if count % 2 == 1 then
        return wrk.format("GET", "/dashboard/version")
    end
    return wrk.format("GET", page)
end

-- Half a second between a connection's requests: a poll and a page a second.
function delay()
    return 500
end
