/// A terminal in memory: keeps the last frame and plays back queued keys. For tests and the benchmark.
public final class MemoryTerminal: TerminalBackend {
    public var size: (width: Int, height: Int)
    public private(set) var frame: ScreenBuffer?
    public private(set) var frames = 0
    public private(set) var theme: Theme?
    public var inputs: [TerminalInput] = []
    public private(set) var bells = 0

    public init(width: Int, height: Int, inputs: [TerminalInput] = []) {
        size = (width, height)
        self.inputs = inputs
    }

    public func draw(_ buffer: ScreenBuffer) {
        frame = buffer
        frames += 1
    }

    public func nextInput(timeoutMs: Int) -> TerminalInput? {
        inputs.isEmpty ? nil : inputs.removeFirst()
    }

    public func bell() {
        bells += 1
    }

    public func apply(_ theme: Theme) {
        self.theme = theme
    }
}
