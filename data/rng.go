package data

import "hash/fnv"

// rng is a tiny splitmix64 generator. It is used instead of math/rand so that generated data sets
// are identical across Go releases: the algorithm here is fixed forever.
type rng struct{ s uint64 }

// mix64 is the splitmix64 finaliser: a bijective avalanche of the 64 input bits.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// newRNG seeds a generator from several parts (seed, split, index, attempt...), so that every
// (seed, index) pair gets an independent stream without any shared state.
func newRNG(parts ...uint64) *rng {
	h := uint64(0x6a09e667f3bcc909)
	for _, p := range parts {
		h = mix64(h ^ mix64(p+0x9e3779b97f4a7c15))
	}
	return &rng{s: h}
}

// next returns the next 64 random bits.
func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a uniform integer in [0, n); n must be > 0. Rejection sampling keeps it unbiased.
func (r *rng) intn(n int) int {
	if n <= 1 {
		return 0
	}
	un := uint64(n)
	limit := ^uint64(0) - (^uint64(0)%un+1)%un
	for {
		v := r.next()
		if v <= limit {
			return int(v % un)
		}
	}
}

// between returns a uniform integer in [lo, hi] (inclusive).
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// hashString returns the 64-bit FNV-1a hash of s.
func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
