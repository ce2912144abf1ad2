"""Lua scripts: each runs atomically on the server, so it can compare and then
write without another client slipping in between."""

from __future__ import annotations

__all__ = ["DELETE", "PUT", "PUT_PENDING", "RELEASE", "RESEAL"]

PUT = """
-- KEYS: record hash, ids set, due set.
-- ARGV: expected version, new version, connector id, method, site URL, status,
--       updated_at, expires_at (ISO 8601 or ''), due score ('' if not due),
--       sealed payload.
-- Returns -1 once written, else the version found.
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then
    return current
end
redis.call('HSET', KEYS[1], 'method', ARGV[4], 'site_url', ARGV[5],
    'status', ARGV[6], 'version', ARGV[2], 'updated_at', ARGV[7],
    'expires_at', ARGV[8], 'sealed', ARGV[10])
redis.call('ZADD', KEYS[2], 0, ARGV[3])
if ARGV[9] == '' then
    redis.call('ZREM', KEYS[3], ARGV[3])
else
    redis.call('ZADD', KEYS[3], ARGV[9], ARGV[3])
end
return -1
"""

RESEAL = """
-- KEYS: record hash. ARGV: version read, sealed payload.
-- Replaces the payload only if no one wrote the record since it was read.
if redis.call('HGET', KEYS[1], 'version') == ARGV[1] then
    redis.call('HSET', KEYS[1], 'sealed', ARGV[2])
    return 1
end
return 0
"""

DELETE = """
-- KEYS: record hash, ids set, due set. ARGV: connector id.
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return existed
"""

RELEASE = """
-- KEYS: lease. ARGV: holder id. Deletes the lease only if this holder has it,
-- so a holder whose lease lapsed cannot release its successor's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""

PUT_PENDING = """
-- KEYS: pending login, pending expiry set.
-- ARGV: state hash, sealed payload, TTL in ms, expiry (Unix s), now (Unix s),
--       maximum pending logins.
-- Returns 1 once stored, 0 when the maximum is reached.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
if redis.call('ZSCORE', KEYS[2], ARGV[1]) == false
        and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then
    return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
"""
