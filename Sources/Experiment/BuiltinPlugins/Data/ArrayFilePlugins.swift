import Foundation
import PluginAPI
import TensorEngine

/// `data.npz`: arrays from a NumPy `.npz` archive (`np.savez(x_train=…, y_train=…, x_test=…, y_test=…)`).
struct NPZPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var file = ""
        var trainInputs = "x_train"
        var trainLabels = "y_train"
        var testInputs = "x_test"
        var testLabels = "y_test"
        var testFraction = 0.2
        static let documentation: [String: FieldDoc] = [
            "file": FieldDoc(
                "The .npz archive, relative to the spec, inside the data roots.", required: true, path: .existingFile),
            "train_inputs": FieldDoc("Array of training inputs [N, ...]."),
            "train_labels": FieldDoc("Array of training class ids [N] (non-negative integers)."),
            "test_inputs": FieldDoc(
                "Array of test inputs; when the archive lacks it, test_fraction of the training arrays is held out."),
            "test_labels": FieldDoc("Array of test class ids."),
            "test_fraction": FieldDoc(
                "Share held out for testing when the archive has no test arrays.",
                range: FieldRange.greaterThan(0).below(1)),
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "data.npz", kind: .dataset, version: "1.0.0", summary: "Inputs and class ids from a NumPy .npz archive",
        config: Config.self)
    static let provides = DataKind.labeled
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        let url = URL(fileURLWithPath: c.file)
        let arrays = try NumPy.readNPZ(url)
        func array(_ key: String) throws -> Tensor {
            guard let t = arrays[key] else {
                throw DatasetError.missing(file: url.path, detail: "no array '\(key)'; it has \(arrays.keys.sorted())")
            }
            return t
        }
        let train = try LabelCheck.split(inputs: array(c.trainInputs), labels: array(c.trainLabels), file: url.path)
        let test =
            arrays[c.testInputs] != nil || arrays[c.testLabels] != nil
            ? try LabelCheck.split(inputs: array(c.testInputs), labels: array(c.testLabels), file: url.path) : nil
        return .labeled(
            try LabelCheck.dataset(from: url, train: train, test: test, testFraction: c.testFraction, using: &rng))
    }
}

/// `data.npy`: inputs and class ids in separate NumPy `.npy` files (`np.save`), with optional test files.
struct NPYPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var inputs = ""
        var labels = ""
        var testInputs: String? = nil
        var testLabels: String? = nil
        var testFraction = 0.2
        static let documentation: [String: FieldDoc] = [
            "inputs": FieldDoc(
                "The .npy file of training inputs [N, ...] (images [N, C, H, W]), relative to the spec, inside the "
                    + "data roots.", required: true, path: .existingFile),
            "labels": FieldDoc(
                "The .npy file of training class ids [N] (non-negative integers).", required: true,
                path: .existingFile),
            "test_inputs": FieldDoc(
                "The .npy file of test inputs; without it test_fraction of the training arrays is held out.",
                type: .string, path: .existingFile),
            "test_labels": FieldDoc("The .npy file of test class ids.", type: .string, path: .existingFile),
            "test_fraction": FieldDoc(
                "Share held out for testing when there are no test files.", range: FieldRange.greaterThan(0).below(1)),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(
                (testInputs == nil) == (testLabels == nil), key: testInputs == nil ? "test_inputs" : "test_labels",
                "test_inputs and test_labels are given together")
        }
    }
    static let descriptor = PluginDescriptor(
        id: "data.npy", kind: .dataset, version: "1.0.0",
        summary: "Inputs and class ids from NumPy .npy files, one array per file", config: Config.self)
    static let provides = DataKind.labeled
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        func split(_ inputs: String, _ labels: String) throws -> DataSplit {
            try LabelCheck.split(
                inputs: NumPy.readNPY(URL(fileURLWithPath: inputs)),
                labels: NumPy.readNPY(URL(fileURLWithPath: labels)),
                file: "\(inputs) and \(labels)")
        }
        let train = try split(c.inputs, c.labels)
        var test: DataSplit?
        if let testInputs = c.testInputs, let testLabels = c.testLabels { test = try split(testInputs, testLabels) }
        let url = URL(fileURLWithPath: c.inputs)
        return .labeled(
            try LabelCheck.dataset(from: url, train: train, test: test, testFraction: c.testFraction, using: &rng))
    }
}

/// `data.csv`: a numeric table with a label column.
struct CSVPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var file = ""
        var labelColumn = "-1"
        var header = CSVFile.Header.automatic
        var delimiter = ","
        var testFile: String? = nil
        var testFraction = 0.2
        var standardize = true
        static let documentation: [String: FieldDoc] = [
            "file": FieldDoc(
                "The CSV file, relative to the spec, inside the data roots.", required: true, path: .existingFile),
            "label_column": FieldDoc(
                "The label column: its header name, or its zero-based index (negative counts from the end)."),
            "header": FieldDoc(
                "Whether the first line names the columns; automatic looks for a non-number.",
                choices: ["automatic", "present", "absent"]),
            "delimiter": FieldDoc("The one character between fields."),
            "test_file": FieldDoc(
                "A second CSV with the same columns for testing; without it test_fraction of the rows is held out.",
                type: .string, path: .existingFile),
            "test_fraction": FieldDoc(
                "Share of the rows held out when there is no test_file.", range: FieldRange.greaterThan(0).below(1)),
            "standardize": FieldDoc(
                "Scale each feature to zero mean and unit variance (statistics from the training rows)."),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(delimiter.count == 1, key: "delimiter", "must be exactly one character")
            v.check(!labelColumn.isEmpty, key: "label_column", "must name a column or give its index")
        }
    }
    static let descriptor = PluginDescriptor(
        id: "data.csv", kind: .dataset, version: "1.0.0", summary: "Rows of a numeric CSV table with a label column",
        config: Config.self)
    static let provides = DataKind.labeled
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        let label: CSVFile.LabelColumn = Int(c.labelColumn).map { .index($0) } ?? .name(c.labelColumn)
        let url = URL(fileURLWithPath: c.file)
        let delimiter = c.delimiter.first ?? ","
        let table = try CSVFile.read(url, label: label, header: c.header, delimiter: delimiter)
        guard let all = table.split else { throw DatasetError.missing(file: url.path, detail: "no label column") }
        let name = url.deletingPathExtension().lastPathComponent
        var dataset: LabeledDataset
        if let testPath = c.testFile {
            let testTable = try CSVFile.read(
                URL(fileURLWithPath: testPath), label: label, header: c.header, delimiter: delimiter)
            guard let test = testTable.split, testTable.featureNames.count == table.featureNames.count,
                testTable.classNames == table.classNames || (testTable.classNames == nil && table.classNames == nil)
            else {
                throw DatasetError.shapeMismatch(
                    file: testPath, detail: "columns or text labels differ from \(url.lastPathComponent)")
            }
            dataset = LabeledDataset(
                name: name, train: all, test: test, classCount: Swift.max(table.classCount, testTable.classCount),
                classNames: table.classNames)
        } else {
            dataset = LabeledDataset.splitting(
                name: name, all, testFraction: c.testFraction, classCount: table.classCount,
                classNames: table.classNames, using: &rng)
        }
        if c.standardize { dataset = Standardization.apply(to: dataset) }
        return .labeled(dataset)
    }
}

/// Checks of loaded label arrays.
enum LabelCheck {
    /// A split after checking that labels are `[N]` non-negative integers matching `inputs`.
    static func split(inputs: Tensor, labels: Tensor, file: String) throws -> DataSplit {
        guard inputs.rank >= 1, labels.rank == 1, inputs.shape[0] == labels.shape[0] else {
            throw DatasetError.shapeMismatch(
                file: file, detail: "inputs \(inputs.shape) and labels \(labels.shape) disagree on N")
        }
        if let bad = labels.scalars.firstIndex(where: { $0 < 0 || $0 != $0.rounded() }) {
            throw DatasetError.malformed(
                file: file, line: nil, detail: "label \(labels.scalars[bad]) at index \(bad) is not a class id")
        }
        return DataSplit(inputs: inputs, labels: labels)
    }

    /// A dataset named after `file` of `train` and `test` (same example shape), or of `train` split with
    /// `testFraction` held out when there is no test split.
    static func dataset(
        from file: URL, train: DataSplit, test: DataSplit?, testFraction: Double, using rng: inout RandomGenerator
    ) throws -> LabeledDataset {
        let name = file.deletingPathExtension().lastPathComponent
        guard let test else {
            return LabeledDataset.splitting(
                name: name, train, testFraction: testFraction, classCount: classCount(train), using: &rng)
        }
        guard test.exampleShape == train.exampleShape else {
            throw DatasetError.shapeMismatch(
                file: file.path, detail: "test examples \(test.exampleShape), training \(train.exampleShape)")
        }
        return LabeledDataset(name: name, train: train, test: test, classCount: classCount(train, test))
    }

    /// One more than the largest label, at least 2.
    static func classCount(_ splits: DataSplit...) -> Int {
        Swift.max(2, splits.map { Int($0.labels.scalars.max() ?? 0) + 1 }.max() ?? 2)
    }
}

/// Per-feature standardisation with the training split's statistics.
enum Standardization {
    static func apply(to d: LabeledDataset) -> LabeledDataset {
        let x = d.train.inputs
        guard x.rank == 2, d.train.count > 0 else { return d }
        let mean = x.mean(axes: [0], keepingDims: true)
        let std = (x.variance(axes: [0], keepingDims: true) + 1e-12).sqrt()
        // Constant columns keep a divisor of 1 instead of blowing up.
        let safe = Tensor.select(std.greater(1e-6), std, Tensor.ones(like: std))
        func scaled(_ s: DataSplit) -> DataSplit { DataSplit(inputs: (s.inputs - mean) / safe, labels: s.labels) }
        return LabeledDataset(
            name: d.name, train: scaled(d.train), test: scaled(d.test), classCount: d.classCount,
            classNames: d.classNames)
    }
}
