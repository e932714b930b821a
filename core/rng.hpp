// A small deterministic RNG (SplitMix64, Steele et al. 2014) and helpers whose results depend only on the seed:
// never std::uniform_int_distribution or std::shuffle, whose outputs differ between standard libraries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace qeval::core {

class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound), bound > 0, unbiased (rejection of the short last interval).
    std::uint64_t below(std::uint64_t bound) {
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
        std::uint64_t x;
        do
            x = next();
        while (x >= limit);
        return x % bound;
    }
    // Uniform double in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
    std::uint64_t state_;
};

// perm[i] = index of the original item shown at position i (Fisher-Yates, Durstenfeld).
inline std::vector<int> seeded_permutation(int n, std::uint64_t seed) {
    std::vector<int> perm(static_cast<size_t>(n));
    std::iota(perm.begin(), perm.end(), 0);
    SplitMix64 rng(seed);
    for (int i = n - 1; i > 0; --i) {
        int j = static_cast<int>(rng.below(static_cast<std::uint64_t>(i) + 1));
        std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
    }
    return perm;
}

} // namespace qeval::core
