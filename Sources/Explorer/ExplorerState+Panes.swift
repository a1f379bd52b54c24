import TerminalUI

/// Each pane as a widget over exactly the data it draws, taken from the state. The screen
/// renders these and click hit-testing asks the same widgets, so both agree on geometry;
/// key hints come from `keys`.
extension ExplorerState {
    var digitPane: DigitPane {
        DigitPane(label: label, t: t, steps: steps, image: image, stepOfPixel: model.stepOfPixel,
                  flips: currentFlips, isFocused: focus == .digit)
    }

    /// Sequences (`--input(s)`): the T×I input in the Digit pane's place, titled with its index
    /// in a set (the header names the file).
    var inputPane: InputPane {
        let name = sequences.flatMap { $0.isSet ? "#\(imageIndex) of \($0.count)" : nil }
        return InputPane(sequence: sequences?.sequence(imageIndex) ?? [], steps: steps, inputSize: model.inputSize, t: t,
                         topSteps: currentFlips?.topSteps ?? [], label: name, isFocused: focus == .digit)
    }

    var logitsPane: LogitsPane {
        LogitsPane(flips: currentFlips, isStale: !flipsAreCurrent, traceComplete: currentSpectrum?.isComplete == true,
                   view: logitsView, t: t, stepOfPixel: stepOfPixel, viewKey: ExplorerKeys.hint(.toggleLogitsView),
                   isFocused: focus == .logits, classNames: model.classNames, isSequence: sequences != nil)
    }

    func trainingPane(keys: KeyTable<ExplorerAction> = ExplorerKeys.table) -> TrainingPane {
        TrainingPane(status: training, taskName: sequences == nil ? model.task?.name ?? "" : "", hidden: model.hidden, shape: model.shapeText,
                     trainKey: ExplorerKeys.hint(.toggleTraining, in: keys), isFocused: focus == .training, refusal: trainingRefusal)
    }

    func alignmentPane(keys: KeyTable<ExplorerAction> = ExplorerKeys.table) -> AlignmentPane {
        AlignmentPane(t: t, result: currentAlignment, scale: alignmentScale, view: alignmentView, basis: alignmentBasis, hidden: model.hidden,
                      traceComplete: currentSpectrum?.isComplete == true,
                      scaleKey: ExplorerKeys.hint(.toggleAlignmentScale, in: keys),
                      viewKey: ExplorerKeys.hint(.toggleAlignmentView, in: keys), isFocused: focus == .alignment,
                      scroll: alignmentScroll, scrollKeys: scrollKeys(keys))
    }

    /// The gates of a GRU or LSTM, in the alignment pane's place (`v`; the default for them).
    func gatePane(keys: KeyTable<ExplorerAction> = ExplorerKeys.table) -> GatePane {
        GatePane(t: t, steps: steps, cell: model.cellEntry, spectrum: currentSpectrum, isFocused: focus == .alignment,
                 alignmentKey: ExplorerKeys.hint(.toggleGatePane, in: keys), layers: max(model.layerSizes.count, 1))
    }

    var spectrumPane: SpectrumPane {
        SpectrumPane(t: t, spectrum: currentSpectrum, scroll: spectrumScroll, isFocused: focus == .spectrum,
                     scrollKeys: scrollKeys(ExplorerKeys.table))
    }

    /// "[ ]": the keys that scroll the spectrum bars and the alignment's Q vectors.
    func scrollKeys(_ keys: KeyTable<ExplorerAction>) -> String {
        ExplorerKeys.hint(.scrollSpectrumLeft, in: keys) + " " + ExplorerKeys.hint(.scrollSpectrumRight, in: keys)
    }

    var rTracePane: RTracePane {
        RTracePane(t: t, steps: steps, spectrum: currentSpectrum, markedSteps: currentFlips?.topSteps,
                   isFocused: focus == .rTrace)
    }

    /// The key table as the footer shows it: for sequences without the image keys (`u`, `d`
    /// flip pixels of MNIST images; `t` trains MNIST models) but with `b` (ablate), and `n`
    /// only for a set of more than one sequence. Dispatch always uses the whole table.
    var footerKeys: KeyTable<ExplorerAction> {
        guard let sequences else { return ExplorerKeys.table }
        var table = ExplorerKeys.table
        for index in table.bindings.indices {
            switch table.bindings[index].action {
            case .toggleUpFlips, .toggleDownFlips, .toggleTraining:
                table.bindings[index].visibleInFooter = false
            case .nextImage:
                table.bindings[index].visibleInFooter = sequences.count > 1
                table.bindings[index].description = "next sequence"
            case .cycleAblation:
                table.bindings[index].visibleInFooter = true
                table.bindings[index].description = "ablate top-k"
            default:
                break
            }
        }
        // `b` where `u` was (the footer shows the table's order).
        if let ablate = table.bindings.firstIndex(where: { $0.action == .cycleAblation }),
           let up = table.bindings.firstIndex(where: { $0.action == .toggleUpFlips }) {
            let binding = table.bindings.remove(at: ablate)
            table.bindings.insert(binding, at: up)
        }
        return table
    }

    /// Every key of the table, mouse clicks, and how to scroll and close.
    var helpOverlay: HelpOverlay<ExplorerAction> {
        HelpOverlay(keyTable: ExplorerKeys.table,
                    extraEntries: [("click", "digit pixel, input step or R-trace step: move t there")],
                    footer: "j/k Up/Down PgUp/PgDn g/G scroll" + context.separator + "Esc ? q close",
                    scroll: helpScroll)
    }

    /// The widget drawing `pane`.
    func widget(for pane: Pane, keys: KeyTable<ExplorerAction> = ExplorerKeys.table) -> any Widget {
        switch pane {
        case .digit: sequences == nil ? digitPane as any Widget : inputPane
        case .spectrum: spectrumPane
        case .alignment: showsGates ? gatePane(keys: keys) as any Widget : alignmentPane(keys: keys)
        case .logits: logitsPane
        case .rTrace: rTracePane
        case .training: trainingPane(keys: keys)
        }
    }

    /// The step a click at (x, y) points at: a digit pixel's step or an R-trace step, as
    /// drawn in the current layout; nil elsewhere.
    func clickedStep(x: Int, y: Int) -> Int? {
        guard let layout = ScreenLayout.make(size: size, focus: focus, isZoomed: isZoomed) else { return nil }
        if let area = layout.panes[.digit] {
            if sequences != nil, let step = inputPane.step(atX: x, y: y, in: area) { return step }
            if sequences == nil, let step = digitPane.step(atX: x, y: y, in: area) { return step }
        }
        if let area = layout.panes[.rTrace], let step = rTracePane.step(atX: x, y: y, in: area) { return step }
        return nil
    }
}
