import Linalg
import Lyapunov
import Dispatch
import Foundation
import RNN
import Synchronization

/// Runs the analysis off the UI thread on one dedicated thread.
///
/// The UI submits requests; each kind has a single slot holding only the newest request,
/// so a burst of keystrokes costs one computation, not one per key. A new image request
/// interrupts the trace in progress. Results come back through ``drainEvents()``, which the
/// UI polls; they carry the ``ExplorerState/analysisID`` they were computed for, so stale
/// ones can be ignored. All shared state is behind one `Mutex`; the worker's own
/// ``ImageAnalysis`` never leaves its thread.
public final class EngineWorker: Sendable {
    /// One analysis to start: the model and input (image or sequence), and K.
    public struct ImageRequest: Sendable {
        public var analysisID: Int
        public var model: Network
        public var input: AnalysisInput
        /// Nil for a sequence without a label (losses are then against the predicted class).
        public var label: Int?
        public var directions: Int
        public var jacobian: JacobianConvention

        public init(analysisID: Int, model: Network, image: [Float], label: Int, directions: Int,
                    jacobian: JacobianConvention = .forward) {
            self.init(analysisID: analysisID, model: model, input: .image(image), label: label, directions: directions,
                      jacobian: jacobian)
        }

        public init(analysisID: Int, model: Network, input: AnalysisInput, label: Int?, directions: Int,
                    jacobian: JacobianConvention = .forward) {
            self.jacobian = jacobian
            self.analysisID = analysisID
            self.model = model
            self.input = input
            self.label = label
            self.directions = directions
        }
    }

    private struct Inbox {
        var image: ImageRequest?
        var flips: (id: Int, request: FlipRequest)?
        var alignment: (id: Int, t: Int, basis: AlignmentBasis)?
        var events: [EngineEvent] = []
        var isRunning = true
        var isBusy = false
    }

    private let inbox = Mutex(Inbox())
    private let wake = DispatchSemaphore(value: 0)
    /// How often a growing trace is published.
    private let publishInterval: Double

    public init(publishInterval: Double = 0.15) {
        self.publishInterval = publishInterval
    }

    /// Starts the worker thread.
    public func start() {
        let thread = Thread { [self] in
            SignalMonitor.blockInCurrentThread()
            self.loop()
        }
        thread.name = "ftle-engine"
        thread.start()
    }

    /// Stops the worker after its current unit of work.
    public func stop() {
        inbox.withLock { $0.isRunning = false }
        wake.signal()
    }

    public func analyze(_ request: ImageRequest) {
        inbox.withLock {
            $0.image = request
            $0.isBusy = true
        }
        wake.signal()
    }

    public func requestFlips(_ request: FlipRequest, analysisID: Int) {
        inbox.withLock {
            $0.flips = (analysisID, request)
            $0.isBusy = true
        }
        wake.signal()
    }

    public func requestAlignment(atStep t: Int, analysisID: Int, basis: AlignmentBasis = .q) {
        inbox.withLock {
            $0.alignment = (analysisID, t, basis)
            $0.isBusy = true
        }
        wake.signal()
    }

    /// Events since the last call, oldest first.
    public func drainEvents() -> [EngineEvent] {
        inbox.withLock { box in
            defer { box.events.removeAll() }
            return box.events
        }
    }

    /// Whether a request is pending or being computed (the UI polls faster meanwhile).
    public var isBusy: Bool { inbox.withLock { $0.isBusy || !$0.events.isEmpty } }

    private func post(_ event: EngineEvent) {
        inbox.withLock { $0.events.append(event) }
    }

    // MARK: - Worker thread

    private func loop() {
        var analysis: ImageAnalysis?
        while inbox.withLock({ $0.isRunning }) {
            if let request = inbox.withLock({ box -> ImageRequest? in
                defer { box.image = nil }
                return box.image
            }) {
                analysis = ImageAnalysis(id: request.analysisID, model: request.model, input: request.input,
                                         label: request.label, directions: request.directions,
                                         jacobian: request.jacobian)
                analysis = runTrace(analysis!)
                continue
            }
            guard var current = analysis, current.isComplete else {
                idle()
                continue
            }
            if let flips = inbox.withLock({ box -> (id: Int, request: FlipRequest)? in
                defer { box.flips = nil }
                return box.flips
            }) {
                if flips.id == current.id { post(.flips(current.flips(flips.request))) }
                continue
            }
            if let alignment = inbox.withLock({ box -> (id: Int, t: Int, basis: AlignmentBasis)? in
                defer { box.alignment = nil }
                return box.alignment
            }) {
                if alignment.id == current.id, alignment.t >= 1, alignment.t <= current.totalSteps {
                    do {
                        // The CLVs' backward pass runs once per analysis, here in the background.
                        if alignment.basis == .clv && current.covariant == nil {
                            try current.prepareCovariantVectors()
                            analysis = current
                        }
                        post(.alignment(try current.alignment(atStep: alignment.t, basis: alignment.basis)))
                    } catch {
                        post(.failed(analysisID: current.id, message: "alignment at t=\(alignment.t): \(error)"))
                    }
                }
                continue
            }
            idle()
        }
    }

    /// Marks the worker idle unless something arrived meanwhile, then waits for a signal.
    private func idle() {
        let hasWork = inbox.withLock { box -> Bool in
            let pending = box.image != nil || box.flips != nil || box.alignment != nil
            if !pending { box.isBusy = false }
            return pending
        }
        if !hasWork { wake.wait() }
    }

    /// Steps the whole trace, publishing it as it grows; returns early (incomplete) when a
    /// newer image request arrives.
    private func runTrace(_ start: ImageAnalysis) -> ImageAnalysis? {
        var analysis = start
        var lastPublished = monotonicSeconds()
        let chunk = max(1, analysis.snapshotInterval)
        do {
            while !analysis.isComplete {
                try analysis.advance(by: chunk)
                if inbox.withLock({ $0.image != nil || !$0.isRunning }) { return analysis }
                let now = monotonicSeconds()
                if now - lastPublished >= publishInterval {
                    post(.spectrum(analysis.spectrum))
                    lastPublished = now
                }
            }
            post(.spectrum(analysis.spectrum))
        } catch {
            post(.failed(analysisID: analysis.id, message: "Lyapunov trace stopped at t=\(analysis.stepsDone + 1): \(error)"))
            return nil
        }
        return analysis
    }
}
