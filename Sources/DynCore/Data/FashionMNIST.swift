import Foundation

/// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017) from Debian's `dataset-fashion-mnist`: 60,000
/// training and 10,000 test images of 28x28 grey pixels, 10 classes. Returned as X of shape
/// (N, 1, 28, 28), float32, pixel / 255, and labels 1..10 (the file's 0..9 plus one).
public enum FashionMNIST {
    public static let package = "dataset-fashion-mnist"
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    static let op = "data.fashion_mnist"

    public enum Split: String { case train, test }

    /// The images and labels files of a split in `directory`, gzip or plain (gzip preferred).
    static func files(_ split: Split, directory: String) throws -> (images: String, labels: String) {
        let prefix = split == .train ? "train" : "t10k"
        func find(_ stem: String) throws -> String {
            for name in ["\(stem).gz", stem] {
                // The gate first: a NUL byte or a path the sandbox refuses is an error, not a probe.
                try FileAccess.check(directory + "/" + name, writing: false, op: op)
                if FileManager.default.fileExists(atPath: directory + "/" + name) { return directory + "/" + name }
            }
            throw TensorError("\(op): cannot find \(stem)(.gz) in \(directory); install Debian's \(package) package (apt-get install \(package)) or pass the directory holding the files as 'dir'")
        }
        return (try find("\(prefix)-images-idx3-ubyte"), try find("\(prefix)-labels-idx1-ubyte"))
    }

    /// The split, or n of its images: the first n, or with a seed n drawn at random without
    /// replacement (in the order of `Generator(seed:).permutation(N)`).
    public static func load(split: Split, n: Int? = nil, seed: UInt64? = nil,
                            directory: String = defaultDirectory) throws -> LabeledData {
        let (imagesPath, labelsPath) = try files(split, directory: directory)
        let images = try IdxFile.read(path: imagesPath, dtype: .float32, divisor: 255, op: op)
        let labels = try IdxFile.read(path: labelsPath, dtype: .float64, op: op)
        guard images.rank == 3, images.shape[1] == 28, images.shape[2] == 28 else {
            throw TensorError("\(op): '\(imagesPath)' holds shape \(shapeText(images.shape)), expected (N, 28, 28) images")
        }
        let total = images.shape[0]
        guard labels.rank == 1, labels.shape[0] == total else {
            throw TensorError("\(op): '\(labelsPath)' holds shape \(shapeText(labels.shape)), expected \(total) labels (one per image)")
        }
        let y = try Tensor(uninitialized: [total])
        let src = labels.pointer(Double.self), dst = y.pointer(Double.self)
        for i in 0..<total {
            guard src[i] >= 0, src[i] <= 9 else {
                throw TensorError("\(op): '\(labelsPath)' has label \(valueText(src[i])) at position \(i + 1), expected 0..9")
            }
            dst[i] = src[i] + 1
        }
        let x = try images.view([total, 1, 28, 28])
        guard let n else {
            if seed != nil { throw TensorError("\(op): option 'seed' chooses a random subset and needs 'n'") }
            return LabeledData(x: x, y: y)
        }
        guard n >= 1, n <= total else {
            throw TensorError("\(op): option 'n' must be between 1 and \(total) (the \(split.rawValue) split's size), got \(n)")
        }
        guard let seed else {
            return LabeledData(x: try x.narrow(0, start: 0, length: n).clone(), y: try y.narrow(0, start: 0, length: n).clone())
        }
        var g = Generator(seed: seed)
        let chosen = Array(g.permutation(total).prefix(n))
        return LabeledData(x: try x.index(0, chosen), y: try y.index(0, chosen))
    }
}
