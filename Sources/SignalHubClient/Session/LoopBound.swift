/// A value that lives on the client engine's service thread. It may travel between
/// threads, but only code holding the `ClientLoop` (that is, running on the service
/// thread) can reach inside.
final class LoopBound<Value: AnyObject>: @unchecked Sendable {
    private let value: Value

    init(_ value: Value) { self.value = value }

    func get(_ loop: ClientLoop) -> Value { value }
}
