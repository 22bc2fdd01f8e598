import Foundation

/// SIGINT, SIGTERM and SIGHUP while a sweep runs: the handler only records the signal; without
/// SA_RESTART, the runner's waitpid returns EINTR, and the runner stops its children, waits for
/// them and removes its scratch files before exiting (Slurm's time limit sends SIGTERM first).
enum StopSignals {
    nonisolated(unsafe) static var received: Int32 = 0

    static func install() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { StopSignals.received = $0 }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }
}
