import ArgumentParser
import Foundation
import Lyapunov
import RNN

// `ftle train --floss K`: gradient flossing (see `FlossSettings`), for every cell and data kind.
extension Train {
    /// The flossing options against each other, before anything is read.
    func validateFloss() throws {
        let given = [(flossWeight != nil, "--floss-weight"), (flossEvery != nil, "--floss-every"), (flossSteps != nil, "--floss-steps")]
        if resume, floss != nil || given.contains(where: \.0) {
            throw ValidationError("--resume continues with the run's stored flossing settings; drop --floss and its options")
        }
        if floss == nil, let (_, name) = given.first(where: \.0) { throw ValidationError("\(name) applies to --floss K only") }
        guard let settings = flossSettings else { return }
        var config = TrainingConfig()
        config.floss = settings
        do { try config.validate() } catch let TrainingError.invalid(setting, requirement) {
            throw ValidationError("\(setting.flag) \(requirement)")
        }
    }

    /// The run's flossing settings (nil without --floss).
    var flossSettings: FlossSettings? {
        floss.map { FlossSettings(k: $0, weight: flossWeight ?? 0.01, every: flossEvery ?? 1, steps: flossSteps) }
    }
}
