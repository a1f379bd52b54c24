import Analysis
import Foundation
import TerminalUI

extension ExplorerState {
    /// Applies one event and returns the work the app must do for it. The only mutator of
    /// the state besides the initialiser.
    public mutating func handle(_ event: ExplorerEvent) -> [ExplorerEffect] {
        switch event {
        case let .action(action):
            return perform(action)
        case let .resize(newSize):
            size = newSize
            return []
        case let .click(x, y):
            return click(x: x, y: y)
        case .tick:
            guard isPlaying else { return [] }
            let effects = moveCursor(to: t + 1)
            if t >= steps { isPlaying = false }
            return effects
        case let .helpScroll(move):
            scrollHelp(move)
            return []
        case .promptInput, .promptBackspace, .promptSubmit, .promptClearLine, .promptCancel:
            return handlePrompt(event)
        case let .engine(engineEvent):
            receive(engineEvent)
            return []
        case let .training(update):
            return receive(update)
        case let .followedHistory(history, config, directory):
            training.follow(history: history, config: config, trainCount: 60_000)
            training.directory = directory
            return []
        case let .storedHistory(history, config, directory, note):
            guard let note else {
                training.history = history
                return []
            }
            // A run in --out (an earlier explorer's, say): its position and history, idle.
            training.follow(history: history, config: config, trainCount: 60_000)
            training.phase = .idle
            training.etaSeconds = nil
            training.isStored = true
            training.directory = directory
            status = StatusMessage(note)
            return []
        case let .modelLoaded(summary, message):
            if summary.cellEntry != model.cellEntry { showsGates = summary.cellEntry.isGated }
            model = summary
            directions = min(directions, summary.stateSize)
            t = min(max(t, 1), steps)
            isReloadPending = false
            if let message { status = StatusMessage(message) }
            return startAnalysis()
        case let .themeLoaded(theme, warnings):
            context.theme = theme
            status = warnings.isEmpty ? StatusMessage("theme \(theme.name)")
                : StatusMessage(warnings.joined(separator: "; "), isWarning: true)
            return []
        case let .status(text, isWarning):
            status = StatusMessage(text, isWarning: isWarning)
            return []
        case let .statusExpired(message):
            if status == message { status = nil }
            return []
        }
    }

    // MARK: - Actions

    /// Every key action first clears the last message (the action may set a new one).
    private mutating func perform(_ action: ExplorerAction) -> [ExplorerEffect] {
        status = nil
        switch action {
        case .quit:
            if training.phase.isActive {
                prompt = .confirmQuit
                return []
            }
            shouldQuit = true
            return [.quit]
        case .toggleHelp:
            showsHelp.toggle()
            helpScroll = 0
            return []
        case .stepBackward: return moveCursor(to: t - 1)
        case .stepForward: return moveCursor(to: t + 1)
        case .jumpBackward: return moveCursor(to: t - 10)
        case .jumpForward: return moveCursor(to: t + 10)
        case .firstStep: return moveCursor(to: 1)
        case .lastStep: return moveCursor(to: steps)
        case .togglePlay:
            if !isPlaying && t >= steps {
                t = 1
                isPlaying = true
                return [.requestAlignment]
            }
            isPlaying.toggle()
            return []
        case .nextImage: return selectImage(imageIndex + 1)
        case .previousImage: return selectImage(imageIndex - 1)
        case .toggleUpFlips, .toggleDownFlips:
            if sequences != nil {
                status = StatusMessage("u and d flip pixels of MNIST images; \(ExplorerKeys.hint(.cycleAblation)) ablates the top-k steps of a sequence",
                                       isWarning: true)
                return []
            }
            // One direction at a time: u (d) turns up (down) flips on, replacing down (up)
            // flips if they were on, or turns them off. (Both at once would re-rank the top k
            // over both kinds of pixel: 10 up flips would become 7 up + 3 down.)
            let up = action == .toggleUpFlips
            let wasOn = up ? flipUp : flipDown
            let replaced = up ? flipDown : flipUp
            flipUp = up && !wasOn
            flipDown = !up && !wasOn
            let name = up ? "up flips" : "down flips", other = up ? "down flips" : "up flips"
            if wasOn {
                status = StatusMessage("\(name) off")
            } else if replaced {
                status = StatusMessage("\(name) replace the \(other) (one direction at a time)")
            }
            return [.requestFlips]
        case .cycleAblation:
            guard let sequences else {
                status = StatusMessage("\(ExplorerKeys.hint(.cycleAblation)) ablates steps of --input sequences; images flip pixels with \(ExplorerKeys.hint(.toggleUpFlips)) and \(ExplorerKeys.hint(.toggleDownFlips))",
                                       isWarning: true)
                return []
            }
            // off → zero → mean (a set of more than one sequence) → off.
            let cycle: [StepBaseline?] = [nil] + sequences.baselines
            let next = cycle[((cycle.firstIndex(of: ablation) ?? 0) + 1) % cycle.count]
            ablation = next
            status = StatusMessage(next.map { "ablating the top-k steps: x_t ← \($0 == .zero ? "0" : "the set mean")" } ?? "ablation off")
            return [.requestFlips]
        case .toggleGatePane:
            showsGates.toggle()
            return showsGates ? [] : [.requestAlignment]
        case .newRandomBaseline:
            baselineSeed &+= 1
            status = StatusMessage("random baseline seed \(baselineSeed)")
            return [.requestFlips]
        case .increaseFlipCount:
            flipCount = min(flipCount + Self.flipCountStep(flipCount), sequences?.steps ?? image.count)
            return [.requestFlips]
        case .decreaseFlipCount:
            flipCount = max(flipCount - Self.flipCountStep(flipCount - 1), 1)
            return [.requestFlips]
        case .scrollSpectrumLeft:
            // The focused alignment heatmap scrolls its Q vectors; otherwise the spectrum its bars.
            if focus == .alignment && !showsGates {
                alignmentScroll = max(alignmentScroll - Self.alignmentScrollStep, 0)
            } else {
                spectrumScroll = max(spectrumScroll - 4, 0)
            }
            return []
        case .scrollSpectrumRight:
            if focus == .alignment && !showsGates {
                alignmentScroll = min(alignmentScroll + Self.alignmentScrollStep, max(directions - 1, 0))
            } else {
                spectrumScroll = min(spectrumScroll + 4, max(directions - 1, 0))
            }
            return []
        case .toggleAlignmentScale:
            alignmentScale = alignmentScale.toggled
            return []
        case .toggleJacobian:
            jacobian = jacobian == .forward ? .transposed : .forward
            return startAnalysis()
        case .toggleLogitsView:
            chosenLogitsView = logitsView == .final ? .atCursor : .final
            return []
        case .toggleAlignmentView:
            alignmentView = alignmentView.toggled
            return []
        case .toggleAlignmentBasis:
            alignmentBasis = alignmentBasis.toggled
            status = StatusMessage(alignmentBasis == .q ? "alignment: Q vectors" : "alignment: covariant Lyapunov vectors (steps W+1..T-W, W = T/4)")
            return showsGates ? [] : [.requestAlignment]
        case .toggleTraining:
            switch training.phase {
            case .following:
                status = StatusMessage("following \(training.directory ?? "a run"): its own process trains", isWarning: true)
                return []
            case .starting, .running:
                training.phase = .pausing
                status = StatusMessage("pausing training after this batch...")
                return [.pauseTraining]
            case .pausing:
                return []
            case .done:
                prompt = .moreEpochs(text: "")
                return []
            case .idle, .paused, .failed:
                if let refusal = trainingRefusal {
                    status = StatusMessage(refusal, isWarning: true)
                    return []
                }
                training.phase = .starting
                status = StatusMessage("starting training...")
                return [.startTraining]
            }
        case .saveCheckpoint:
            return [.saveCheckpoint]
        case .reloadWeights:
            isReloadPending = true
            return [.reloadWeights]
        case .openModel:
            prompt = .openModel(text: "")
            return []
        case .nextTheme:
            let names = themeNames.isEmpty ? [context.theme.name] : themeNames
            let current = names.firstIndex(of: context.theme.name) ?? -1
            return [.loadTheme(names[(current + 1) % names.count])]
        case .focusNextPane:
            focus = focus.next
            return []
        case .toggleZoom:
            isZoomed.toggle()
            return []
        case .export:
            return [.export]
        }
    }

    private mutating func scrollHelp(_ move: HelpScroll) {
        guard let body = ScreenLayout.make(size: size, focus: focus, isZoomed: isZoomed)?.body else { return }
        let overlay = helpOverlay
        let page = max(1, overlay.entryRows(in: body) - 2)
        let target = switch move {
        case .lineDown: helpScroll + 1
        case .lineUp: helpScroll - 1
        case .pageDown: helpScroll + page
        case .pageUp: helpScroll - page
        case .top: 0
        case .bottom: Int.max
        }
        helpScroll = min(max(target, 0), overlay.maxScroll(in: body))
    }

    /// Why `t` cannot train the loaded model here (nil when it can): the explorer trains any
    /// MNIST model `ftle train` can (vanilla of any depth, φ and biases; GRU and LSTM with biases).
    var trainingRefusal: String? {
        if sequences != nil || model.task == nil {
            return "the explorer trains MNIST models; train on sequences with ftle train --inputs X.npy --labels Y.npy --out DIR and watch it with --follow DIR"
        }
        if let reason = model.untrainableReason { return reason }
        return nil
    }

    /// Q vectors per `[` / `]` in the alignment heatmap.
    static let alignmentScrollStep = 8

    /// k grows by 1 up to 10, by 5 up to 50, then by 10.
    static func flipCountStep(_ k: Int) -> Int { k < 10 ? 1 : k < 50 ? 5 : 10 }

    private mutating func moveCursor(to newT: Int) -> [ExplorerEffect] {
        let clamped = min(max(newT, 1), steps)
        guard clamped != t else { return [] }
        t = clamped
        return [.requestAlignment]
    }

    private mutating func selectImage(_ index: Int) -> [ExplorerEffect] {
        if let sequences {
            guard sequences.count > 1 else {
                status = StatusMessage("\(sequences.fileName) holds one sequence; step through a set with --inputs X.npy --labels Y.npy",
                                       isWarning: true)
                return []
            }
            imageIndex = (index % sequences.count + sequences.count) % sequences.count
            label = sequences.label(imageIndex) ?? 0
            return startAnalysis()
        }
        guard dataset.count > 0 else { return [] }
        imageIndex = (index % dataset.count + dataset.count) % dataset.count
        image = dataset.image(imageIndex)
        label = dataset.label(imageIndex)
        return startAnalysis()
    }

    private mutating func startAnalysis() -> [ExplorerEffect] {
        analysisID += 1
        engineError = nil
        return [.analyze]
    }

    mutating func confirmQuit() -> [ExplorerEffect] {
        prompt = nil
        shouldQuit = true
        return [.quit]
    }

    // MARK: - Mouse

    private mutating func click(x: Int, y: Int) -> [ExplorerEffect] {
        guard prompt == nil, !showsHelp, let step = clickedStep(x: x, y: y) else { return [] }
        return moveCursor(to: step)
    }
}
