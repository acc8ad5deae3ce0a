@testable import SignalHubCore
import Testing

/// Multi-node mode in the core alone: two or three hubs ("nodes") share one fake store, and
/// the tests choose the order in which the bus and the replies reach each node.
@Suite("multi-node: replicas fed by a shared store")
struct SharedRosterTests {
    struct Cluster {
        var nodes: [HubHarness]
        var store: FakeSharedStore

        init(nodes count: Int, seed: UInt64 = 1, configure: (inout HubConfiguration) -> Void = { _ in }) {
            nodes = (0..<count).map { index in
                HubHarness(seed: seed &+ UInt64(index) &* 7919) { configuration in
                    configuration.sharedRoster = true
                    configuration.gracePeriodMs = 0
                    configure(&configuration)
                }
            }
            store = FakeSharedStore(nodes: count)
            for index in nodes.indices {
                store.run(nodes[index].shared(.availability(.reconnected)), from: index)
            }
            drain()
        }

        /// Opens a socket on `node`, sends `join`, and passes the token check; the store has
        /// the join queued but nothing is delivered yet.
        mutating func startJoin(_ uid: String, on node: Int, session: SessionID = .main) -> ConnectionID {
            let connection = nodes[node].open()
            _ = nodes[node].send(.join(token: "t-\(uid)", settings: CallSettings(), resume: nil), from: connection)
            store.run(nodes[node].verify(connection, .success(HubHarness.identity(uid, session: session))), from: node)
            return connection
        }

        mutating func send(_ message: ClientMessage, from connection: ConnectionID, on node: Int) {
            store.run(nodes[node].send(message, from: connection), from: node)
        }

        @discardableResult
        mutating func deliverBus(to node: Int) -> Bool {
            guard !store.bus[node].isEmpty else { return false }
            store.run(nodes[node].shared(store.bus[node].removeFirst()), from: node)
            return true
        }

        @discardableResult
        mutating func deliverReply(to node: Int) -> Bool {
            guard !store.replies[node].isEmpty else { return false }
            store.run(nodes[node].shared(store.replies[node].removeFirst()), from: node)
            return true
        }

        mutating func drain() {
            while !store.isIdle {
                for node in nodes.indices {
                    deliverReply(to: node)
                    deliverBus(to: node)
                }
            }
        }

        /// Every live member on every node holds the store's roster, rebuilt from exactly what
        /// it was sent (no gap, no duplicate), and every node's replica agrees.
        func expectConverged(_ session: SessionID = .main, sourceLocation: SourceLocation = #_sourceLocation) {
            let truth = store.rosters[session]
            for (index, node) in nodes.enumerated() {
                for (connection, _) in node.liveMembers(of: session) {
                    let replica = RosterReplica.rebuild(from: node.messages(to: connection), sourceLocation: sourceLocation)
                    #expect(replica?.seq == truth?.seq, "node \(index) member \(connection)", sourceLocation: sourceLocation)
                    #expect(replica?.participants == truth?.participants, "node \(index) member \(connection)", sourceLocation: sourceLocation)
                }
                if let replica = node.hub.roster(of: session) {
                    #expect(replica.seq == truth?.seq && replica.participants == truth?.participants, "node \(index)'s replica", sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test("a join reaches the store, and the joiner's snapshot is the store's")
    func joinGoesThroughTheStore() throws {
        var cluster = Cluster(nodes: 2)
        let a = cluster.startJoin("alice", on: 0)
        #expect(cluster.nodes[0].hub.roster(of: .main) == nil, "nothing changes here before the store answers")
        cluster.drain()
        let reply = try #require(cluster.nodes[0].messages(to: a).compactMap(\.joinedReply).first)
        #expect(reply.seq == 1 && reply.participants.map(\.uid) == ["alice"])
        let b = cluster.startJoin("bob", on: 1)
        cluster.drain()
        #expect(cluster.nodes[0].messages(to: a).compactMap(\.rosterEvent).map(\.participant.uid) == ["bob"])
        #expect(cluster.nodes[1].messages(to: b).compactMap(\.rosterEvent).isEmpty, "bob hears nothing of his own join")
        cluster.expectConverged()
    }

    @Test("a member whose join overtakes its node's replica hears each later event once")
    func joinAheadOfTheReplica() throws {
        var cluster = Cluster(nodes: 2)
        let a = cluster.startJoin("alice", on: 0)
        cluster.drain()
        // bob joins on node 1 and toggles; node 0 hears none of it yet.
        let b = cluster.startJoin("bob", on: 1)
        while cluster.deliverReply(to: 1) || cluster.deliverBus(to: 1) {}
        cluster.send(.changeState(.muteAudio), from: b, on: 1)
        // carol joins on node 0: the store's answer (seq 4) arrives before the bus.
        let c = cluster.startJoin("carol", on: 0)
        cluster.deliverReply(to: 0)
        #expect(cluster.nodes[0].messages(to: c).compactMap(\.joinedReply).first?.seq == 4)
        // Carol acts before her node has heard of her join: she is a member all the same.
        let asked = cluster.nodes[0].send(.changeState(.raiseHand), from: c)
        #expect(asked.messages(to: c).compactMap(\.protocolError).isEmpty)
        cluster.store.run(asked, from: 0)
        cluster.drain()
        #expect(cluster.nodes[0].messages(to: c).compactMap(\.rosterEvent).map(\.seq) == [5], "her snapshot already had seq 2-4")
        #expect(cluster.nodes[0].messages(to: a).compactMap(\.rosterEvent).map(\.seq) == [2, 3, 4, 5])
        cluster.expectConverged()
    }

    @Test("a member that joins behind its node's replica first gets what it missed")
    func joinBehindTheReplica() throws {
        var cluster = Cluster(nodes: 2)
        _ = cluster.startJoin("alice", on: 0)
        cluster.drain()
        let c = cluster.startJoin("carol", on: 0)  // seq 2, answer held back
        let b = cluster.startJoin("bob", on: 1)  // seq 3
        cluster.deliverReply(to: 1)
        cluster.send(.changeState(.raiseHand), from: b, on: 1)  // seq 4
        while cluster.deliverBus(to: 0) {}
        cluster.deliverReply(to: 0)
        let events = cluster.nodes[0].messages(to: c).compactMap(\.rosterEvent).map(\.seq)
        #expect(events == [3, 4], "from the node's history, after its joined at seq 2")
        cluster.drain()
        cluster.expectConverged()
    }

    @Test("a gap on the bus makes the replica fetch a snapshot, and members get a roster")
    func gapResyncs() throws {
        var cluster = Cluster(nodes: 2)
        let a = cluster.startJoin("alice", on: 0)
        cluster.drain()
        let b = cluster.startJoin("bob", on: 1)
        cluster.drain()
        cluster.send(.changeState(.muteAudio), from: b, on: 1)
        cluster.send(.changeState(.pauseVideo), from: b, on: 1)
        cluster.store.bus[0].removeFirst()  // node 0 loses one bus message
        cluster.drain()
        #expect(cluster.nodes[0].messages(to: a).contains { if case .roster = $0 { true } else { false } })
        cluster.expectConverged()
    }

    @Test("joins are refused while the store is away, without counting as failed joins")
    func unavailableStore() throws {
        var cluster = Cluster(nodes: 1) { $0.maxFailedJoins = 2 }
        cluster.nodes[0].shared(.availability(.unavailable))
        let connection = cluster.nodes[0].open()
        for _ in 0..<4 {
            _ = cluster.nodes[0].send(.join(token: "t", settings: CallSettings(), resume: nil), from: connection)
            let actions = cluster.nodes[0].verify(connection, .success(HubHarness.identity("alice")))
            #expect(actions.messages(to: connection).compactMap(\.protocolError).map(\.code) == [.serviceUnavailable])
        }
        #expect(cluster.nodes[0].closes(of: connection).isEmpty)
        #expect(cluster.store.isIdle, "nothing was sent to the store")
    }

    @Test("a uid that joins on another node replaces the member here: 4001 after its own participantLeft")
    func replacementAcrossNodes() throws {
        var cluster = Cluster(nodes: 2)
        let old = cluster.startJoin("alice", on: 0)
        cluster.drain()
        _ = cluster.startJoin("alice", on: 1)
        cluster.drain()
        let deliveries = cluster.nodes[0].deliveries(to: old)
        #expect(deliveries.suffix(2).first.map { if case .message(let m) = $0 { m.rosterEvent?.leaveReason == .replaced } else { false } } == true)
        #expect(deliveries.last == .close(.replaced))
        cluster.expectConverged()
    }

    @Test("randomized: joins, toggles, leaves and replacements over three nodes converge", arguments: Array(UInt64(1)...UInt64(60)))
    func randomized(seed: UInt64) throws {
        var cluster = Cluster(nodes: 3, seed: seed)
        var random = SplitMix64(seed: seed)
        var joined: [(node: Int, connection: ConnectionID)] = []
        let changes: [StateChange] = [.muteAudio, .unmuteAudio, .pauseVideo, .resumeVideo, .raiseHand, .lowerHand]
        for _ in 0..<400 {
            let node = Int(random.next() % 3)
            var roll = random.next() % 10
            if joined.isEmpty && (2...4).contains(roll) { roll = 0 }
            switch roll {
            case 0, 1:
                joined.append((node, cluster.startJoin("u\(random.next() % 8)", on: node)))
            case 2, 3:
                let (at, connection) = joined[Int(random.next() % UInt64(joined.count))]
                cluster.send(.changeState(changes[Int(random.next() % 6)]), from: connection, on: at)
            case 4:
                let (at, connection) = joined.remove(at: Int(random.next() % UInt64(joined.count)))
                if random.next() % 2 == 0 {
                    cluster.send(.leave, from: connection, on: at)
                } else {
                    cluster.store.run(cluster.nodes[at].close(connection), from: at)
                }
            case 5, 6:
                cluster.deliverBus(to: node)
            default:
                cluster.deliverReply(to: node)
            }
        }
        cluster.drain()
        cluster.expectConverged()
    }
}
