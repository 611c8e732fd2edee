-- Cycles through pre-signed webhook bodies (bench-data/requests.txt: "signature<TAB>body" per
-- line), a different one per request; the two wrk threads take alternate lines.
local requests = {}
local index = 0
local thread_offset = 0

function setup(thread)
  thread:set("thread_offset", thread_offset)
  thread_offset = thread_offset + 1
end

function init(args)
  for line in io.lines("bench-data/requests.txt") do
    local tab = string.find(line, "\t", 1, true)
    requests[#requests + 1] = { string.sub(line, tab + 1), string.sub(line, 1, tab - 1) }
  end
  index = thread_offset
end

request = function()
  local item = requests[(index % #requests) + 1]
  index = index + 2
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = item[2]}, item[1])
end
