import Foundation
import RNN
import TerminalUI

/// `e`: writes the screen as ANSI text and the panes' data as JSON into a folder, each
/// atomically, named `ftle-explore-<yyyyMMdd-HHmmss>[-n].{ansi,json}`.
///
/// JSON keys: model, task, hidden, directions (K), split, image, label, t, steps; spectrum
/// (λ_k(T), as `ftle spectrum` writes it; null for −∞ and until the trace is complete),
/// ftle_at_t (λ_k(t) at the cursor t), lambda_1_3 (T×3 over the computed steps), log_r1 (ln r_t^1),
/// alignment ({t, singular_indices (0-based), cosines: K×10, spread_leading and
/// spread_trailing: K stds of each Q vector's cosines with the first / last five}), flips ({k, mode, seed,
/// top_pixels, r_flipped, random_flipped (row-major indices), logits: original / r_flipped
/// / random_flipped}), training ({phase, epoch (0-based), epochs, batch, step, test_accuracy}).
public enum ScreenExporter {
    /// Writes both files; returns their paths.
    public static func export(screen: Grid, state: ExplorerState, directory: String, date: Date = Date()) throws
        -> (ansi: String, json: String) {
        let stem = "ftle-explore-" + fileTimestamp(date)
        var base = directory + "/" + stem
        var suffix = 2
        while FileManager.default.fileExists(atPath: base + ".ansi") || FileManager.default.fileExists(atPath: base + ".json") {
            base = directory + "/" + stem + "-\(suffix)"
            suffix += 1
        }
        try writeFileAtomically(base + ".ansi", text: screen.ansiText(colorMode: state.context.colorMode) + "\n")
        try writeFileAtomically(base + ".json", text: jsonText(state))
        return (base + ".ansi", base + ".json")
    }

    /// The panes' data as JSON text (sorted keys, non-finite numbers as null).
    public static func jsonText(_ state: ExplorerState) -> String {
        var object: [String: Any] = [
            "model": state.model.path, "task": state.model.task?.name ?? NSNull(), "hidden": state.model.hidden, "cell": state.model.cell, "state_size": state.model.stateSize,
            "directions": state.directions, "split": state.dataset.split.rawValue, "image": state.imageIndex,
            "label": state.label, "t": state.t, "steps": state.steps,
        ]
        if let sequences = state.sequences {
            // Sequences: the file and index replace the MNIST split and image; no task.
            object["task"] = NSNull(); object["split"] = NSNull(); object["image"] = NSNull()
            object["input"] = sequences.path
            object["sequence"] = state.imageIndex
            object["label"] = state.knownLabel ?? NSNull()
            object["input_size"] = state.model.inputSize
            object["classes"] = state.model.classNames
            object["layers"] = state.model.layerSizes
            object["ablation"] = state.ablation?.rawValue ?? NSNull()
        }
        if let spectrum = state.currentSpectrum {
            // As in `ftle spectrum`: "spectrum" is λ_k(T), "ftle_at_t" λ_k at the cursor.
            object["spectrum"] = spectrum.exponents(atStep: spectrum.totalSteps) ?? NSNull()
            object["ftle_at_t"] = spectrum.exponents(atStep: state.t) ?? NSNull()
            object["lambda_1_3"] = spectrum.exponents.map { Array($0.prefix(3)) }
            object["log_r1"] = spectrum.firstLogR
        }
        if let alignment = state.currentAlignment {
            let width = alignment.singularIndices.count
            object["alignment"] = [
                "t": alignment.t, "singular_indices": alignment.singularIndices,
                "cosines": (0..<alignment.directions).map { Array(alignment.cosines[($0 * width)..<(($0 + 1) * width)]) },
                "spread_leading": alignment.spreadByIndex(leading: true),
                "spread_trailing": alignment.spreadByIndex(leading: false),
            ] as [String: Any]
            // The CLV frame says so (the Q frame's export is as it was).
            if alignment.basis == .clv, var a = object["alignment"] as? [String: Any] {
                a["frame"] = "clv"
                if let note = alignment.note { a["note"] = note }
                object["alignment"] = a
            }
        }
        if let flips = state.currentFlips {
            var logits: [String: Any] = ["original": flips.original]
            if let r = flips.rFlipped { logits["r_flipped"] = r }
            if let random = flips.randomFlipped { logits["random_flipped"] = random }
            object["flips"] = [
                "k": flips.request.count, "mode": flips.request.mode?.rawValue ?? "off", "seed": Int(clamping: flips.request.baselineSeed),
                "top_pixels": flips.topPixels, "r_flipped": flips.rFlippedPixels, "random_flipped": flips.randomPixels,
                "logits": logits,
            ] as [String: Any]
        }
        let training = state.training
        object["training"] = [
            "phase": training.phase.label, "epoch": training.epoch, "epochs": training.epochs, "batch": training.batch,
            "step": training.step, "test_accuracy": training.history.lastTestAccuracy ?? NSNull(),
        ] as [String: Any]
        return JSONText.encode(object)
    }

    /// "20261130-001406": the local time in file names (exports, background-training folders).
    static func fileTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: date)
    }
}
