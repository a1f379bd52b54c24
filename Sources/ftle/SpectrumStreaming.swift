import Foundation
import Linalg
import Lyapunov
import RNN

extension Spectrum {
    /// Advances a streamed `LyapunovTrace` along the sequence and writes each step's rows as soon
    /// as they are known: CSV straight to the output, JSON's `log_r` and `ftle` rows through temporary
    /// files (the keys are sorted, and `entropy` and `kaplan_yorke` come before them), so
    /// memory is the stepper's (≈ 6 H×K doubles) plus T participation ratios, whatever T·K is.
    /// The text is byte for byte what building the whole result in memory gave (a test holds
    /// the two together). `header` holds the JSON keys that do not depend on the trace.
    func streamSpectrum(model m: Network, sequence: [Double], steps: Int, k kk: Int,
                        header: [String: Any], to sink: OutputSink) throws {
        var trace = LyapunovTrace(notStarted: m, sequence: sequence, steps: steps, k: kk,
                                  initialState: start.initialState(hidden: m.stateSize), initialFrame: start.frame,
                                  transient: transient, jacobian: jacobian, rows: .streamed)
        let scale = log2 ? 1 / Foundation.log(2.0) : 1
        var participation: [Double] = []
        participation.reserveCapacity(steps)
        var spectrum: [Double] = []
        let logRows = format == .json ? try TemporaryRows() : nil, ftleRows = format == .json ? try TemporaryRows() : nil
        if format == .csv { try sink.write("t,k,log_r,ftle\n") }
        try trace.advance(by: steps) { stepper in
            let t = stepper.t - 1
            participation.append(SpectrumStatistics.participationRatio(stepper.firstDirection))
            let logR = stepper.logR.map { $0 * scale }
            let ftle: [Double]? = t >= transient ? stepper.exponents.map { $0 * scale } : nil
            if let ftle { spectrum = ftle }
            if let logRows, let ftleRows {
                try logRows.append(StreamedJSON.fragment(logR))
                if let ftle { try ftleRows.append(StreamedJSON.fragment(ftle)) }
            } else {
                var lines = ""
                for j in 0..<kk {
                    lines += "\(t + 1),\(j + 1),\(csvNumber(logR[j])),\(ftle.map { csvNumber($0[j]) } ?? "")\n"
                }
                try sink.write(lines)
            }
        }
        if let logRows, let ftleRows {
            var values = header
            values["spectrum"] = spectrum
            values["kaplan_yorke"] = SpectrumStatistics.kaplanYorke(spectrum)
            values["entropy"] = SpectrumStatistics.entropy(spectrum)
            values["participation_ratio_q1"] = participation
            try StreamedJSON.write(values: values, rows: ["log_r": logRows, "ftle": ftleRows], to: sink)
        }
        try sink.finish()
    }
}
