import FuzzDriver
import Foundation
import RNN

/// Training checkpoints: the safetensors parse, then every checkpoint field validated
/// (`RunFolder.checkpoint(in:path:)`) for vanilla models in Float32 and Float64 and for gated
/// (GRU/LSTM) models in Float32.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    func oneLine(_ e: Error) {
        let text = "\(e)"
        precondition(!text.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }), "not one printable line: \(text)")
        precondition(text.utf8.count < 2000, "an error of \(text.utf8.count) bytes")
    }
    do {
        let file = try SafeTensorsFile(parsing: bytes, path: "fuzz.safetensors")
        do {
            let c: Checkpoint<Float> = try RunFolder.checkpoint(in: file, path: "fuzz.safetensors")
            precondition(c.position.epoch >= 0 && c.position.batch >= 0 && c.optimizer.step >= 0)
            precondition(c.config.hidden == c.model.hidden && c.config.batchSize >= 1)
            precondition(c.model.v.storage.allSatisfy(\.isFinite) && c.model.b.allSatisfy(\.isFinite))
        } catch { oneLine(error) }
        do { let _: Checkpoint<Double> = try RunFolder.checkpoint(in: file, path: "fuzz.safetensors") } catch { oneLine(error) }
        // GRU/LSTM run checkpoints (stacked included) go through the same reader.
        do { let _: TrainingCheckpoint<GatedModel<Float>> = try RunFolder.checkpoint(in: file, path: "fuzz.safetensors") } catch { oneLine(error) }
    } catch { oneLine(error) }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { Int32(fuzzCheckpoint($0, $1)) })
