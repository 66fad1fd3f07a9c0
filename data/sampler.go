package data

import "fmt"

// DataState is the Sampler's position, saved in a run's state.json so that `ascent train --resume`
// continues with exactly the same data order.
type DataState struct {
	// Seed selects the per-epoch permutations.
	Seed uint64 `json:"seed"`
	// Shuffle is whether epochs are permuted (false: file order every epoch).
	Shuffle bool `json:"shuffle"`
	// Epoch counts completed passes over the source (0 during the first).
	Epoch int `json:"epoch"`
	// Position is the number of examples already handed out in the current epoch (0..Size-1).
	Position int `json:"position"`
	// Size is the source length the state was taken with; Restore refuses a different one.
	Size int `json:"size"`
	// Fingerprint identifies the source's content (a hash of its length and its first and last
	// examples); Restore refuses a state taken over a different source of the same size.
	Fingerprint string `json:"fingerprint"`
}

// Sampler hands out examples of a Source in epochs: each epoch is a permutation of all indices
// drawn from (Seed, epoch), so the order is a pure function of the seed and independent of how
// the examples were batched. A batch that runs past the end of an epoch continues into the next.
// A Sampler is not safe for concurrent use.
type Sampler struct {
	src   Source
	state DataState
	perm  []int // [Size] order of the current epoch
}

// NewSampler returns a sampler over src starting at epoch 0, position 0.
func NewSampler(src Source, seed uint64, shuffle bool) (*Sampler, error) {
	if src.Len() == 0 {
		return nil, fmt.Errorf("data: sampler: the source is empty")
	}
	fp, err := fingerprint(src)
	if err != nil {
		return nil, err
	}
	s := &Sampler{src: src, state: DataState{Seed: seed, Shuffle: shuffle, Size: src.Len(), Fingerprint: fp}}
	s.perm = s.permutation(0)
	return s, nil
}

// fingerprint hashes a source's length and the IDs and prompts of its first and last examples.
func fingerprint(src Source) (string, error) {
	n := src.Len()
	h := fmt.Sprint(n)
	for _, i := range []int{0, n - 1} {
		ex, err := src.At(i)
		if err != nil {
			return "", fmt.Errorf("data: sampler: %w", err)
		}
		h += "\x00" + ex.ID + "\x00" + ex.PromptText + "\x00" + ex.GroundTruth
	}
	return fmt.Sprintf("%016x", hashString(h)), nil
}

// permutation returns the order of epoch e: a Fisher–Yates shuffle seeded by (Seed, e), or the
// identity when Shuffle is off.
func (s *Sampler) permutation(e int) []int {
	p := make([]int, s.state.Size)
	for k := range p {
		p[k] = k
	}
	if s.state.Shuffle {
		r := newRNG(s.state.Seed, 0x5a3b1e, uint64(e))
		for k := len(p) - 1; k > 0; k-- {
			j := r.intn(k + 1)
			p[k], p[j] = p[j], p[k]
		}
	}
	return p
}

// Next returns the next n examples and advances the state. When generating or reading an example
// fails, the state does not move and the error is returned.
func (s *Sampler) Next(n int) ([]Example, error) {
	if n < 1 {
		return nil, fmt.Errorf("data: sampler: batch size %d, want >= 1", n)
	}
	st, perm := s.state, s.perm
	out := make([]Example, 0, n)
	for len(out) < n {
		ex, err := s.src.At(perm[st.Position])
		if err != nil {
			return nil, fmt.Errorf("data: sampler epoch %d position %d: %w", st.Epoch, st.Position, err)
		}
		out = append(out, ex)
		st.Position++
		if st.Position == st.Size { // roll over eagerly: Epoch() counts completed passes
			st.Epoch++
			st.Position = 0
			perm = s.permutation(st.Epoch)
		}
	}
	s.state, s.perm = st, perm
	return out, nil
}

// Epoch returns the current epoch (0 during the first pass), for the training/epoch metric.
func (s *Sampler) Epoch() int { return s.state.Epoch }

// State returns the position to save for resuming.
func (s *Sampler) State() DataState { return s.state }

// Restore continues from a saved state. The source must have the length the state was taken with.
func (s *Sampler) Restore(st DataState) error {
	switch {
	case st.Size != s.src.Len():
		return fmt.Errorf("data: sampler restore: state was saved over %d examples, the source has %d", st.Size, s.src.Len())
	case st.Fingerprint != "" && st.Fingerprint != s.state.Fingerprint:
		return fmt.Errorf("data: sampler restore: state fingerprint %s does not match the source's %s (different data or task config)", st.Fingerprint, s.state.Fingerprint)
	case st.Epoch < 0:
		return fmt.Errorf("data: sampler restore: epoch = %d, want >= 0", st.Epoch)
	case st.Position < 0 || st.Position > st.Size:
		return fmt.Errorf("data: sampler restore: position = %d, want 0..%d", st.Position, st.Size)
	}
	if st.Position == st.Size {
		st.Epoch++
		st.Position = 0
	}
	s.state = st
	s.perm = s.permutation(st.Epoch)
	return nil
}
