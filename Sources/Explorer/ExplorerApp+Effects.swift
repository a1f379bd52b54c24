import Linalg
import Foundation
import RNN
import TerminalUI

/// What the app does for each `ExplorerEffect` the state asks for: engine and trainer requests,
/// themes, checkpoints, weights, exports and the followed run.
extension ExplorerApp {
    func perform(_ effect: ExplorerEffect) {
        switch effect {
        case .analyze:
            engine.analyze(.init(analysisID: state.analysisID, model: model, input: state.analysisInput, label: state.knownLabel,
                                 directions: state.directions, jacobian: state.jacobian))
            engine.requestFlips(state.flipRequest, analysisID: state.analysisID)
            engine.requestAlignment(atStep: state.t, analysisID: state.analysisID, basis: state.alignmentBasis)
        case .requestFlips:
            engine.requestFlips(state.flipRequest, analysisID: state.analysisID)
        case .requestAlignment:
            engine.requestAlignment(atStep: state.t, analysisID: state.analysisID, basis: state.alignmentBasis)
        case let .loadTheme(name):
            loadTheme(name)
        case .startTraining:
            if let followed = configuration.followDirectory {
                dispatch(.status("following \(followed): its own process trains", isWarning: true))
                return
            }
            // The state refuses these before asking (ExplorerState.trainingRefusal); this is a guard.
            guard state.trainingRefusal == nil else { return }
            trainer.start(.forModel(model, modelPath: configuration.modelPath,
                                    outputDirectory: configuration.trainingDirectory,
                                    dataDirectory: configuration.dataDirectory, existingRun: configuration.existingRun))
        case .pauseTraining:
            trainer.pause()
        case let .trainMore(epochs):
            trainer.start(TrainingPlan(source: .extend(moreEpochs: epochs), outputDirectory: configuration.trainingDirectory,
                                       dataDirectory: configuration.dataDirectory))
        case .saveCheckpoint:
            saveCheckpoint()
        case .reloadWeights:
            reloadWeights()
        case let .openModel(path):
            loadModel(from: path, message: "opened \(path)")
        case .export:
            export()
        case .quit:
            break
        }
    }

    func loadTheme(_ name: String) {
        guard let directory = configuration.themeDirectory else {
            dispatch(.status("no Themes folder found; only the built-in dark theme is available", isWarning: true))
            return
        }
        do {
            let result = try Theme.load(name: name, directory: directory)
            dispatch(.themeLoaded(result.theme, warnings: result.warnings))
        } catch {
            dispatch(.status(String(describing: error), isWarning: true))
        }
    }

    func saveCheckpoint() {
        if trainer.isRunning {
            trainer.requestCheckpoint()
            dispatch(.status("saving a checkpoint at the next progress report...", isWarning: false))
        } else if state.training.phase == .paused || state.training.phase == .done {
            dispatch(.status("checkpoint already saved: \(configuration.trainingDirectory)/\(RunFiles.checkpoint)",
                             isWarning: false))
        } else {
            dispatch(.status("no training run to checkpoint: press \(ExplorerKeys.hint(.toggleTraining)) to start one", isWarning: true))
        }
    }

    func reloadWeights() {
        if trainer.isRunning {
            trainer.requestWeights()
            dispatch(.status("loading the training weights at the next progress report...", isWarning: false))
            return
        }
        let candidates = [configuration.followDirectory.map { $0 + "/" + RunFiles.model },
                          configuration.trainingDirectory + "/" + RunFiles.model, configuration.modelPath]
        let path = candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) } ?? configuration.modelPath
        loadModel(from: path, message: "reloaded \(path)")
    }

    func loadModel(from path: String, message: String) {
        do {
            let loaded = try Network.load(from: path)
            if let problem = ExplorerLauncher.unsupported(loaded, sequences: state.sequences) {
                dispatch(.status("cannot open \(path): \(problem)", isWarning: true))
                return
            }
            if path != configuration.trainingDirectory + "/" + RunFiles.model { configuration.modelPath = path }
            installWeights(loaded, path: path, message: message)
        } catch {
            let message = StatusMessage.fileError("cannot open", path: path, error: error)
            dispatch(.status(message.text, isWarning: true))
        }
    }

    func installWeights(_ weights: Network, path: String, message: String) {
        model = weights
        dispatch(.modelLoaded(ModelSummary(network: weights, path: path), message: message))
    }

    func export() {
        let grid = screen ?? ExplorerScreen.render(state, size: state.size)
        do {
            let files = try ScreenExporter.export(screen: grid, state: state, directory: configuration.exportDirectory)
            let names = [files.ansi, files.json].map { URL(fileURLWithPath: $0).lastPathComponent }
            dispatch(.status("exported \(names[0]) and \(names[1])", isWarning: false))
        } catch {
            dispatch(.status("export failed: \(error)", isWarning: true))
        }
    }

    func pollFollower() {
        guard let follower else { return }
        for change in follower.poll() {
            switch change {
            case let .history(history, config):
                dispatch(.followedHistory(history, config: config, directory: follower.directory))
            case let .model(path):
                loadModel(from: path, message: "the followed run wrote new weights: reloaded")
            case let .problem(text):
                dispatch(.status(text, isWarning: true))
            }
        }
    }
}
