import CNcursesw
import Foundation
import GatehouseConsole

/// The only code that touches ncurses: set-up and teardown, colour pairs from a theme, diffing screen buffers
/// onto the terminal, and keys and resizes as input. Used from one thread; restores the terminal on exit,
/// on SIGTERM/SIGHUP and on crash signals.
public final class CursesTerminal: TerminalBackend {
    private var previous: ScreenBuffer?
    private var pairs: [ColorRole: (pair: Int16, attributes: attr_t)] = [:]
    private var active = false
    public let colorCount: Int

    /// Takes over the terminal. Honors `NO_COLOR` by the caller choosing `Theme.noColor`.
    public init() {
        _ = gh_set_locale()
        initscr()
        raw()
        noecho()
        keypad(gh_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        colorCount = has_colors() ? Int(gh_colors()) : 0
        active = true
        CursesTerminal.installSignalHandlers()
    }

    deinit { shutdown() }

    /// Gives the terminal back as it was.
    public func shutdown() {
        guard active else { return }
        active = false
        curs_set(1)
        endwin()
    }

    public var size: (width: Int, height: Int) {
        (Int(gh_cols()), Int(gh_lines()))
    }

    public func apply(_ theme: Theme) {
        pairs = [:]
        for (index, role) in ColorRole.allCases.enumerated() {
            let style = theme.style(role)
            var attributes = gh_a_normal()
            if style.bold { attributes |= gh_a_bold() }
            if style.reverse { attributes |= gh_a_reverse() }
            if style.underline { attributes |= gh_a_underline() }
            if style.dim { attributes |= gh_a_dim() }
            var pair: Int16 = 0
            if theme.usesColor && colorCount >= 8 && index + 1 < Int(gh_color_pairs()) {
                pair = Int16(index + 1)
                init_pair(pair, color(style.foreground), color(style.background))
            }
            pairs[role] = (pair, attributes)
        }
        previous = nil
        clear()
    }

    private func color(_ c: ThemeColor) -> Int16 {
        let fitted = colorCount >= 256 ? c : c.basic
        switch fitted {
        case .terminalDefault: return -1
        case .index(let i): return Int16(i)
        }
    }

    public func bell() {
        beep()
    }

    public func draw(_ buffer: ScreenBuffer) {
        let old = previous.flatMap { $0.width == buffer.width && $0.height == buffer.height ? $0 : nil }
        if old == nil { clear() }
        for y in 0..<buffer.height {
            for x in 0..<buffer.width {
                let cell = buffer[x, y]
                if let old, old[x, y] == cell { continue }
                let style = pairs[cell.role] ?? (0, gh_a_normal())
                var wide = String(cell.character).unicodeScalars.map { wchar_t(bitPattern: $0.value) }
                wide.append(0)
                _ = wide.withUnsafeBufferPointer { pointer in
                    gh_put_cell(Int32(y), Int32(x), pointer.baseAddress, style.attributes, style.pair)
                }
            }
        }
        refresh()
        previous = buffer
    }

    public func nextInput(timeoutMs: Int) -> TerminalInput? {
        timeout(Int32(timeoutMs))
        var character: wint_t = 0
        let result = get_wch(&character)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            let code = Int32(character)
            if code == gh_key_resize() {
                previous = nil
                return .resize
            }
            switch code {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_BTAB: return .key(.backTab)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_ENTER: return .key(.enter)
            default: return nil
            }
        }
        switch character {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 8, 127: return .key(.backspace)
        case 1...26:
            guard let scalar = UnicodeScalar(UInt32(character) + 96) else { return nil }
            return .key(.ctrl(Character(scalar)))
        default:
            guard let scalar = UnicodeScalar(UInt32(character)) else { return nil }
            return .key(.char(Character(scalar)))
        }
    }

    /// On a fatal or terminating signal, put the terminal back before dying. Only async-signal-safe calls: the
    /// terminal's line discipline made sane again (tcgetattr/tcsetattr), the screen left and the cursor shown with a
    /// write(2); then the default action. (`endwin()` here could deadlock on ncurses' or malloc's state, and a hung-up
    /// console then never exited.)
    static func installSignalHandlers() {
        for sig in [SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTERM, SIGHUP] {
            signal(sig) { received in
                var mode = termios()
                if tcgetattr(STDIN_FILENO, &mode) == 0 {
                    mode.c_lflag |= tcflag_t(ICANON | ECHO | ECHOE | ISIG | IEXTEN)
                    mode.c_iflag |= tcflag_t(ICRNL)
                    mode.c_oflag |= tcflag_t(OPOST | ONLCR)
                    _ = tcsetattr(STDIN_FILENO, TCSANOW, &mode)
                }
                // Leave the alternate screen, show the cursor, reset attributes.
                let reset: StaticString = "\u{1b}[?1049l\u{1b}[?25h\u{1b}[0m\r\n"
                _ = write(STDOUT_FILENO, reset.utf8Start, reset.utf8CodeUnitCount)
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}
