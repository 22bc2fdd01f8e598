import Foundation

/// The random number generator behind tensor.rand/randn, initializers and data sets.
///
/// Algorithm (documented so that results can be reproduced anywhere): the 64-bit seed is
/// expanded by SplitMix64 into the 256-bit state of xoshiro256** (Blackman and Vigna, 2018).
/// A uniform double in [0, 1) is the top 53 bits of one output times 2^-53. A standard normal
/// uses two uniforms u1, u2 (Box-Muller): sqrt(-2 ln(1 - u1)) * cos(2 pi u2); no value is cached,
/// so every normal consumes exactly two outputs. float32 tensors round these doubles (a uniform
/// that would round up to 1 becomes the largest float below 1, keeping [0, 1)).
public struct Generator: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// The global generator used by tensor.rand/randn and default initializers.
    nonisolated(unsafe) public static var global = Generator(seed: 0)

    public init(seed: UInt64) {
        var z = seed
        func splitmix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    /// The 256-bit state, for training checkpoints (an all-zero state is not a valid one).
    public var state: [UInt64] {
        get { [s.0, s.1, s.2, s.3] }
        set {
            precondition(newValue.count == 4 && newValue.contains { $0 != 0 })
            s = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Generator.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = Generator.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal.
    public mutating func normal() -> Double {
        let u1 = uniform(), u2 = uniform()
        return (-2 * Foundation.log(1 - u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Uniform integer in 0..<n (n > 0), by rejection so that every value is equally likely.
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = next()
            if x < limit { return Int(x % bound) }
        }
    }

    /// A uniformly random permutation of 0..<n (Fisher-Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            p.swapAt(i, below(i + 1))
        }
        return p
    }
}

extension Tensor {
    public static func rand(_ shape: [Int], dtype: DType = .float64, generator g: inout Generator) -> Tensor {
        let t = Tensor(uninitialized: shape, dtype: dtype)
        t.fillEach { keepBelowOne(g.uniform(), dtype) }
        return t
    }

    /// u, or for float32 the largest float below 1 when u would round up to 1.0 (doubles within
    /// 2^-25 of 1 do).
    static func keepBelowOne(_ u: Double, _ dtype: DType) -> Double {
        dtype == .float32 ? Swift.min(u, Double(Float(1).nextDown)) : u
    }

    public static func randn(_ shape: [Int], dtype: DType = .float64, generator g: inout Generator) -> Tensor {
        let t = Tensor(uninitialized: shape, dtype: dtype)
        t.fillEach { g.normal() }
        return t
    }

    /// Writes next() into every element, in row-major order (self is contiguous).
    func fillEach(_ next: () -> Double) {
        precondition(isContiguous)
        switch dtype {
        case .float64: let p = pointer(Double.self); for i in 0..<count { p[i] = next() }
        case .float32: let p = pointer(Float.self); for i in 0..<count { p[i] = Float(next()) }
        }
    }
}
