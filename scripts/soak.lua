-- wrk script for scripts/soak.py: cycle over the public addresses, count every status
-- outside 2xx/3xx, and check that each response carrying version markers shows one whole
-- version: all its soakmark<N>x equal, and on the drug's own page and API document equal
-- to the version number it displays.
--
--   SOAK_PATHS="/,/drugs/,..." SOAK_DRUG=sorafenib wrk -s scripts/soak.lua ...

local drug = os.getenv("SOAK_DRUG") or "sorafenib"

local paths = {}
for path in string.gmatch(os.getenv("SOAK_PATHS") or "/", "[^,]+") do
  paths[#paths + 1] = path
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

function init(args)
  index = id
  responses, bad, mixed, checked = 0, 0, 0, 0
  statuses = {}
  wrk.headers["X-Forwarded-Proto"] = "https"
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

-- The version the drug's own page or API document says it is; nil for any other response.
local function shown_version(body)
  local head = body:sub(1, 400)
  if head:find('{"kind":"drug","slug":"' .. drug .. '"', 1, true) == 1 then
    return head:match('"version":(%d+)')
  end
  if body:find('rel="canonical" href="[^"]*/drugs/' .. drug .. '/"') then
    return body:match('<span class="pill">Version (%d+)</span>')
  end
  return nil
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status >= 400 then
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
  if body and body:find("soakmark", 1, true) then
    checked = checked + 1
    local expected = shown_version(body)
    for marker in body:gmatch("soakmark(%d+)x") do
      expected = expected or marker
      if marker ~= expected then
        mixed = mixed + 1
        break
      end
    end
  end
end

function done(summary, latency, requests)
  local total = { responses = 0, bad = 0, mixed = 0, checked = 0 }
  local codes = {}
  for _, thread in ipairs(threads) do
    total.responses = total.responses + thread:get("responses")
    total.bad = total.bad + thread:get("bad")
    total.mixed = total.mixed + thread:get("mixed")
    total.checked = total.checked + thread:get("checked")
    for code, count in pairs(thread:get("statuses")) do
      codes[#codes + 1] = string.format('"%d": %d', code, count)
    end
  end
  io.write(string.format(
    'SOAK {"requests": %d, "responses": %d, "outside_2xx_3xx": %d, "statuses": {%s}, '
      .. '"versioned_pages_checked": %d, "mixed_pages": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d, '
      .. '"latency_p50_ms": %.1f, "latency_p99_ms": %.1f, "latency_max_ms": %.1f}\n',
    summary.requests, total.responses, total.bad, table.concat(codes, ", "), total.checked,
    total.mixed, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
