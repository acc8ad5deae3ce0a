import SignalHubRedis

/// The Lua scripts that keep each session's roster in Redis. Each runs atomically, so a
/// change, its seq and its publication on the bus happen as one step, in one order that
/// every node then sees. Keys (P is the configured prefix):
///
/// - `P s:<sid>:meta` hash: `seq` (outlives the session by a day, so that a session that
///   starts again under the same ID carries on numbering instead of starting at 1)
/// - `P s:<sid>:p` pid -> participant JSON; `:o` zset of pids in join order; `:u` uid -> pid;
///   `:n` pid -> hosting node; `:t` pid -> SHA1 of the resume token; `:c` pid -> settings
///   JSON; `:h` zset of the latest event messages, scored by seq (resume history)
/// - `P sessions` set of active session IDs; `P n:<node>` set of sessions a node hosts
///   members of; `P nodes` set of node IDs; `P node:<id>` the node's heartbeat, with a TTL
/// - `P bus` the pub/sub channel every node subscribes to.
enum RosterScripts {
    private static let library = """
        local P = ARGV[1]
        local function key(sid, part) return P .. 's:' .. sid .. ':' .. part end
        local function bus(message) redis.call('PUBLISH', P .. 'bus', message) end
        local function nextseq(sid) return redis.call('HINCRBY', key(sid, 'meta'), 'seq', 1) end
        local function seqof(sid) return tonumber(redis.call('HGET', key(sid, 'meta'), 'seq') or '0') end
        local function record(sid, seq, message, limit)
          if limit > 0 then
            redis.call('ZADD', key(sid, 'h'), seq, message)
            redis.call('ZREMRANGEBYRANK', key(sid, 'h'), 0, -(limit + 1))
          end
          bus(message)
        end
        local function event(kind, sid, seq, pjson, extra)
          return '{"type":"' .. kind .. '","sessionId":' .. cjson.encode(sid) .. ',"seq":' .. seq .. ',"participant":' .. pjson .. extra .. '}'
        end
        local function unhost(sid, node)
          for _, other in ipairs(redis.call('HVALS', key(sid, 'n'))) do
            if other == node then return end
          end
          redis.call('SREM', P .. 'n:' .. node, sid)
        end
        local function retire(sid)
          local nodes = {}
          for _, node in ipairs(redis.call('HVALS', key(sid, 'n'))) do nodes[node] = true end
          for node, _ in pairs(nodes) do redis.call('SREM', P .. 'n:' .. node, sid) end
          redis.call('DEL', key(sid, 'p'), key(sid, 'o'), key(sid, 'u'), key(sid, 'n'), key(sid, 't'), key(sid, 'c'), key(sid, 'h'))
          redis.call('PEXPIRE', key(sid, 'meta'), 86400000)
          redis.call('SREM', P .. 'sessions', sid)
        end
        local function remove(sid, pid, reason, limit, keep)
          local pjson = redis.call('HGET', key(sid, 'p'), pid)
          if not pjson then return false end
          local uid = cjson.decode(pjson).uid
          local node = redis.call('HGET', key(sid, 'n'), pid)
          redis.call('HDEL', key(sid, 'p'), pid)
          redis.call('ZREM', key(sid, 'o'), pid)
          if redis.call('HGET', key(sid, 'u'), uid) == pid then redis.call('HDEL', key(sid, 'u'), uid) end
          redis.call('HDEL', key(sid, 'n'), pid)
          redis.call('HDEL', key(sid, 't'), pid)
          redis.call('HDEL', key(sid, 'c'), pid)
          if node then unhost(sid, node) end
          local seq = nextseq(sid)
          record(sid, seq, event('participantLeft', sid, seq, pjson, ',"reason":"' .. reason .. '"'), limit)
          if not keep and redis.call('HLEN', key(sid, 'p')) == 0 then retire(sid) end
          return true
        end
        local function roster(sid)
          local list = {}
          for i, pid in ipairs(redis.call('ZRANGE', key(sid, 'o'), 0, -1)) do list[i] = redis.call('HGET', key(sid, 'p'), pid) end
          return '[' .. table.concat(list, ',') .. ']'
        end

        """

    private static func script(_ name: String, _ body: String) -> RedisScript {
        RedisScript(name: name, source: library + body)
    }

    /// ARGV: P, sid, pid, uid, participant JSON, resume token, settings JSON, node, max, history.
    /// Returns {'ok', seq, roster} or {'full'} or {'taken'} (the pid exists: pick another).
    static let join = script("join", """
        local sid, pid, uid, node = ARGV[2], ARGV[3], ARGV[4], ARGV[8]
        local limit = tonumber(ARGV[10])
        local duplicate = redis.call('HGET', key(sid, 'u'), uid)
        local others = redis.call('HLEN', key(sid, 'p')) - (duplicate and 1 or 0)
        if others >= tonumber(ARGV[9]) then return {'full'} end
        if redis.call('HEXISTS', key(sid, 'p'), pid) == 1 then return {'taken'} end
        -- the member with the same uid leaves first, so nobody ever sees a uid twice
        if duplicate then remove(sid, duplicate, 'replaced', limit, true) end
        local seq = nextseq(sid)
        redis.call('PERSIST', key(sid, 'meta'))
        redis.call('HSET', key(sid, 'p'), pid, ARGV[5])
        redis.call('ZADD', key(sid, 'o'), seq, pid)
        redis.call('HSET', key(sid, 'u'), uid, pid)
        redis.call('HSET', key(sid, 'n'), pid, node)
        redis.call('HSET', key(sid, 't'), pid, redis.sha1hex(ARGV[6]))
        redis.call('HSET', key(sid, 'c'), pid, ARGV[7])
        redis.call('SADD', P .. 'sessions', sid)
        redis.call('SADD', P .. 'n:' .. node, sid)
        record(sid, seq, event('participantJoined', sid, seq, ARGV[5], ''), limit)
        return {'ok', seq, roster(sid)}
        """)

    /// ARGV: P, sid, pid, uid, resume token, new resume token, node, lastSeq.
    /// Returns {'ok', seq, roster, participant, settings, missed events} or {'gone'} or {'token'}.
    static let resume = script("resume", """
        local sid, pid, node = ARGV[2], ARGV[3], ARGV[7]
        local pjson = redis.call('HGET', key(sid, 'p'), pid)
        if not pjson then return {'gone'} end
        -- only hashes are compared, so the comparison's timing says nothing of the token
        if cjson.decode(pjson).uid ~= ARGV[4] or redis.call('HGET', key(sid, 't'), pid) ~= redis.sha1hex(ARGV[5]) then
          return {'token'}
        end
        local previous = redis.call('HGET', key(sid, 'n'), pid)
        redis.call('HSET', key(sid, 'n'), pid, node)
        redis.call('HSET', key(sid, 't'), pid, redis.sha1hex(ARGV[6]))
        redis.call('SADD', P .. 'n:' .. node, sid)
        if previous and previous ~= node then unhost(sid, previous) end
        bus('{"type":"claimed","sessionId":' .. cjson.encode(sid) .. ',"pid":' .. cjson.encode(pid) .. ',"node":' .. cjson.encode(node) .. '}')
        local missed = redis.call('ZRANGEBYSCORE', key(sid, 'h'), '(' .. ARGV[8], '+inf')
        return {'ok', seqof(sid), roster(sid), pjson, redis.call('HGET', key(sid, 'c'), pid) or '{}', '[' .. table.concat(missed, ',') .. ']'}
        """)

    /// ARGV: P, sid, pid, field, '1' or '0', moderator pid or '', history.
    /// The participant JSON is the hub's compact encoding, so the flag is rewritten in
    /// place. Returns {'ok', seq}, {'same'} (no change, no event) or {'gone'}.
    static let update = script("update", """
        local sid, pid, field = ARGV[2], ARGV[3], ARGV[4]
        local pjson = redis.call('HGET', key(sid, 'p'), pid)
        if not pjson then return {'gone'} end
        local want, other = 'true', 'false'
        if ARGV[5] ~= '1' then want, other = 'false', 'true' end
        local from = '"' .. field .. '":' .. other
        local s, e = string.find(pjson, from, 1, true)
        if not s then return {'same'} end
        local updated = string.sub(pjson, 1, s - 1) .. '"' .. field .. '":' .. want .. string.sub(pjson, e + 1)
        redis.call('HSET', key(sid, 'p'), pid, updated)
        local seq = nextseq(sid)
        local by = ''
        if ARGV[6] ~= '' then by = ',"by":' .. cjson.encode(ARGV[6]) end
        record(sid, seq, event('participantUpdated', sid, seq, updated, ',"changed":["' .. field .. '"]' .. by), tonumber(ARGV[7]))
        return {'ok', seq}
        """)

    /// ARGV: P, sid, pid, reason, node or '' (remove only if that node hosts it), history.
    /// Returns {'ok'}, {'gone'} or {'elsewhere'}.
    static let remove = script("remove", """
        local sid, pid = ARGV[2], ARGV[3]
        if ARGV[5] ~= '' and redis.call('HGET', key(sid, 'n'), pid) ~= ARGV[5] then return {'elsewhere'} end
        if remove(sid, pid, ARGV[4], tonumber(ARGV[6]), false) then return {'ok'} end
        return {'gone'}
        """)

    /// ARGV: P, sid, reason. Returns {'ok'} or {'gone'}.
    static let end = script("end", """
        local sid = ARGV[2]
        if redis.call('EXISTS', key(sid, 'p')) == 0 then return {'gone'} end
        local seq = nextseq(sid)
        bus('{"type":"sessionEnded","sessionId":' .. cjson.encode(sid) .. ',"reason":"' .. ARGV[3] .. '","seq":' .. seq .. '}')
        retire(sid)
        return {'ok'}
        """)

    /// ARGV: P, sid. Returns {'ok', seq, roster} or {'gone'}.
    static let snapshot = script("snapshot", """
        local sid = ARGV[2]
        if redis.call('EXISTS', key(sid, 'p')) == 0 then return {'gone'} end
        return {'ok', seqof(sid), roster(sid)}
        """)

    /// ARGV: P. Returns sid, participant count, seq, ... for every active session.
    static let list = script("list", """
        local out = {}
        for _, sid in ipairs(redis.call('SMEMBERS', P .. 'sessions')) do
          local count = redis.call('HLEN', key(sid, 'p'))
          if count > 0 then
            table.insert(out, sid)
            table.insert(out, count)
            table.insert(out, seqof(sid))
          end
        end
        return out
        """)

    /// ARGV: P, node, TTL in ms.
    static let heartbeat = script("heartbeat", """
        redis.call('SET', P .. 'node:' .. ARGV[2], '1', 'PX', ARGV[3])
        redis.call('SADD', P .. 'nodes', ARGV[2])
        return 1
        """)

    /// ARGV: P, this node, history. Every participant of a node whose heartbeat expired
    /// leaves (`disconnected`). Returns how many left.
    static let reap = script("reap", """
        local removed = 0
        for _, node in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
          if node ~= ARGV[2] and redis.call('EXISTS', P .. 'node:' .. node) == 0 then
            for _, sid in ipairs(redis.call('SMEMBERS', P .. 'n:' .. node)) do
              local owners = redis.call('HGETALL', key(sid, 'n'))
              for i = 1, #owners, 2 do
                if owners[i + 1] == node and remove(sid, owners[i], 'disconnected', tonumber(ARGV[3]), false) then removed = removed + 1 end
              end
            end
            redis.call('DEL', P .. 'n:' .. node)
            redis.call('SREM', P .. 'nodes', node)
          end
        end
        return removed
        """)

    /// ARGV: P, node, history, hosted sessions as JSON. After an outage: the store takes
    /// back the members this node hosts (a restarted Redis lost them), and drops those the
    /// node no longer hosts. Sessions restored without events get a new seq and a `resync`
    /// on the bus. Returns sid, seq, roster, ... for every hosted session that still exists.
    static let reconcile = script("reconcile", """
        local node, limit = ARGV[2], tonumber(ARGV[3])
        local hosted = {}
        for _, s in ipairs(cjson.decode(ARGV[4])) do
          local sid = s.sid
          hosted[sid] = true
          if seqof(sid) < s.seq then redis.call('HSET', key(sid, 'meta'), 'seq', s.seq) end
          redis.call('PERSIST', key(sid, 'meta'))
          local listed, restored = {}, false
          for _, m in ipairs(s.members) do
            listed[m.pid] = true
            -- a uid that joined again elsewhere meanwhile keeps its new place
            if redis.call('HEXISTS', key(sid, 'p'), m.pid) == 0 and not redis.call('HGET', key(sid, 'u'), m.uid) then
              redis.call('HSET', key(sid, 'p'), m.pid, m.p)
              redis.call('ZADD', key(sid, 'o'), seqof(sid) + 1, m.pid)
              redis.call('HSET', key(sid, 'u'), m.uid, m.pid)
              redis.call('HSET', key(sid, 't'), m.pid, redis.sha1hex(m.t))
              redis.call('HSET', key(sid, 'c'), m.pid, m.c)
              restored = true
            end
            if redis.call('HEXISTS', key(sid, 'p'), m.pid) == 1 then redis.call('HSET', key(sid, 'n'), m.pid, node) end
          end
          local owners = redis.call('HGETALL', key(sid, 'n'))
          for i = 1, #owners, 2 do
            if owners[i + 1] == node and not listed[owners[i]] then remove(sid, owners[i], 'disconnected', limit, true) end
          end
          if redis.call('HLEN', key(sid, 'p')) == 0 then
            retire(sid)
          else
            redis.call('SADD', P .. 'sessions', sid)
            redis.call('SADD', P .. 'n:' .. node, sid)
            if restored then
              nextseq(sid)
              redis.call('DEL', key(sid, 'h'))
              bus('{"type":"resync","sessionId":' .. cjson.encode(sid) .. '}')
            end
          end
        end
        for _, sid in ipairs(redis.call('SMEMBERS', P .. 'n:' .. node)) do
          if not hosted[sid] then
            local owners = redis.call('HGETALL', key(sid, 'n'))
            for i = 1, #owners, 2 do
              if owners[i + 1] == node then remove(sid, owners[i], 'disconnected', limit, false) end
            end
            redis.call('SREM', P .. 'n:' .. node, sid)
          end
        end
        local out = {}
        for sid, _ in pairs(hosted) do
          if redis.call('EXISTS', key(sid, 'p')) == 1 then
            table.insert(out, sid)
            table.insert(out, seqof(sid))
            table.insert(out, roster(sid))
          end
        end
        return out
        """)

    static let all = [join, resume, update, remove, end, snapshot, list, heartbeat, reap, reconcile]
}
