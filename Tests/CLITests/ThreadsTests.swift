import Foundation
import TestSupport
import Testing

/// `--threads` on the real binary: align, perturb and eval print byte-identical output for 1
/// and 2 workers (perturb's JSON without its wall-clock `seconds`), as `--threads` promises.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"))
struct ThreadsTests {
    static let model = CLI.root + "/Samples/models/rowwise-h128.safetensors"

    func output(_ args: [String]) throws -> String {
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return r.stdout
    }

    @Test func alignIsIdenticalForOneAndTwoWorkers() throws {
        let args = ["align", "--model", Self.model, "--samples", "3", "--preset", "paper-code"]
        let one = try output(args + ["--threads", "1"]), two = try output(args + ["--threads", "2"])
        #expect(one.contains("\"std_first10\""))
        #expect(one == two)
    }

    @Test func perturbIsIdenticalForOneAndTwoWorkers() throws {
        let args = ["perturb", "--model", Self.model, "--images", "3", "--k", "1,5", "--random", "4"]
        func withoutSeconds(_ text: String) throws -> NSDictionary {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(object["seconds"] != nil)
            object["seconds"] = nil
            return object as NSDictionary
        }
        let one = try withoutSeconds(try output(args + ["--threads", "1"]))
        let two = try withoutSeconds(try output(args + ["--threads", "2"]))
        #expect((one["per_image"] as? [Any])?.count == 3)
        #expect(one == two)
        let table = try output(args + ["--threads", "2", "--format", "markdown"])
        #expect(table == (try output(args + ["--threads", "1", "--format", "markdown"])))
    }

    @Test func evalIsIdenticalForOneAndTwoWorkers() throws {
        // 1200 images: three batches of 500, 500 and 200.
        let args = ["eval", "--model", Self.model, "--limit", "1200", "--format", "json"]
        let one = try output(args + ["--threads", "1"]), two = try output(args + ["--threads", "2"])
        #expect(one.contains("\"images\":1200"))
        #expect(one == two)
    }
}
