import GatehouseCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// One stage's response cache in this worker: entries up to 1 MiB, least recently used evicted first once the
/// stage's size is reached, each until its TTL. Shared by the stage's methods and every event loop (one lock).
public final class StageCache: Sendable {
    /// A cached answer.
    struct Entry: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer
        /// Uptime seconds after which the entry is stale.
        var expires: Double

        var bytes: Int { body.readableBytes + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + 64 }
    }

    /// An LRU list over array slots (value types only, so the whole state sits behind one lock).
    struct State: Sendable {
        struct Slot: Sendable {
            var key: String
            var entry: Entry
            var bytes: Int
            var previous = -1
            var next = -1
        }

        var capacity: Int
        var generation: Int
        var bytes = 0
        var index: [String: Int] = [:]
        var slots: [Slot] = []
        var free: [Int] = []
        /// Most recently used first.
        var head = -1
        var tail = -1

        mutating func unlink(_ i: Int) {
            let (p, n) = (slots[i].previous, slots[i].next)
            if p >= 0 { slots[p].next = n } else { head = n }
            if n >= 0 { slots[n].previous = p } else { tail = p }
            slots[i].previous = -1
            slots[i].next = -1
        }

        mutating func pushFront(_ i: Int) {
            slots[i].next = head
            slots[i].previous = -1
            if head >= 0 { slots[head].previous = i }
            head = i
            if tail < 0 { tail = i }
        }

        mutating func remove(_ i: Int) {
            unlink(i)
            bytes -= slots[i].bytes
            index[slots[i].key] = nil
            slots[i].entry.body = ByteBuffer()
            free.append(i)
        }

        mutating func removeAll() {
            self = State(capacity: capacity, generation: generation)
        }
    }

    private let state: NIOLockedValueBox<State>

    init(capacityBytes: Int, generation: Int) {
        state = NIOLockedValueBox(State(capacity: capacityBytes, generation: generation))
    }

    /// The fresh entry for `key`, now the most recently used; a stale one is dropped.
    func get(_ key: String, now: Double) -> Entry? {
        state.withLockedValue { state in
            guard let i = state.index[key] else { return nil }
            guard state.slots[i].entry.expires > now else {
                state.remove(i)
                return nil
            }
            state.unlink(i)
            state.pushFront(i)
            return state.slots[i].entry
        }
    }

    /// Keeps `entry` under `key` (replacing an older one), evicting the least recently used to make room.
    func put(_ key: String, _ entry: Entry) {
        let bytes = entry.bytes + key.utf8.count
        state.withLockedValue { state in
            guard bytes <= state.capacity else { return }
            if let existing = state.index[key] { state.remove(existing) }
            while state.bytes + bytes > state.capacity, state.tail >= 0 { state.remove(state.tail) }
            let slot = State.Slot(key: key, entry: entry, bytes: bytes)
            let i: Int
            if let reused = state.free.popLast() {
                state.slots[reused] = slot
                i = reused
            } else {
                state.slots.append(slot)
                i = state.slots.count - 1
            }
            state.index[key] = i
            state.bytes += bytes
            state.pushFront(i)
        }
    }

    /// Drops `key` (a caller's `Cache-Control: max-age=0`).
    func invalidate(_ key: String) {
        state.withLockedValue { state in
            if let i = state.index[key] { state.remove(i) }
        }
    }

    /// Applies a changed size (evicting down to it) and a flush (a newer generation empties the cache).
    func update(capacityBytes: Int, generation: Int) {
        state.withLockedValue { state in
            if generation != state.generation {
                state.generation = generation
                state.removeAll()
            }
            state.capacity = capacityBytes
            while state.bytes > state.capacity, state.tail >= 0 { state.remove(state.tail) }
        }
    }

    /// Entries and bytes held now (for tests and the console).
    public var usage: (entries: Int, bytes: Int) { state.withLockedValue { ($0.index.count, $0.bytes) } }
}

/// Every stage cache of the worker by `API/STAGE`, kept across configuration swaps (entries survive an
/// unrelated change; a resize evicts down, a flush empties).
public final class StageCaches: Sendable {
    private let caches = NIOLockedValueBox<[String: StageCache]>([:])

    public init() {}

    /// The cache of `stage`, created on first use and brought up to date with its settings.
    func cache(for stage: Stage, settings: StageCacheSettings) -> StageCache {
        let capacity = Int(settings.sizeMb * 1_048_576)
        return caches.withLockedValue { caches in
            let name = stage.restApiId + "/" + stage.stageName
            if let existing = caches[name] {
                existing.update(capacityBytes: capacity, generation: settings.flushGeneration)
                return existing
            }
            let made = StageCache(capacityBytes: capacity, generation: settings.flushGeneration)
            caches[name] = made
            return made
        }
    }

    /// Lets go of the caches (and their memory) of stages that no longer have one on (`live` holds `API/STAGE`).
    func prune(keeping live: Set<String>) {
        caches.withLockedValue { caches in caches = caches.filter { live.contains($0.key) } }
    }

    /// The cache of `API/STAGE`, if the stage has one.
    public func cache(apiId: String, stage: String) -> StageCache? {
        caches.withLockedValue { $0[apiId + "/" + stage] }
    }
}
