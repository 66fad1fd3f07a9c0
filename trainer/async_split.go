package trainer

import "fmt"

// The local core split (async.local): the producer's sampler copy and the learner's log-prob pass
// each decode over their own number of goroutines, passed to the engine rather than set globally
// (docs/training.md, "The core split").

// boundSampler bounds the sampler copy's decoder to sampler_threads (when set).
func (c AsyncLocalConfig) boundSampler(s Learner) error {
	if c.SamplerThreads == 0 {
		return nil
	}
	st, ok := s.(interface{ SetSampleThreads(int) })
	if !ok {
		return fmt.Errorf("async: async.local.sampler_threads = %d, but the local learner %T cannot bound its sampler's threads (no SetSampleThreads)", c.SamplerThreads, s)
	}
	st.SetSampleThreads(c.SamplerThreads)
	return nil
}

// boundLearner bounds the learner's log-prob decoder to n threads while the producer runs (0:
// GOMAXPROCS again); it does nothing unless learner_threads is set.
func (c AsyncLocalConfig) boundLearner(l Learner, n int) error {
	if c.LearnerThreads == 0 {
		return nil
	}
	lt, ok := l.(interface{ SetLogProbThreads(int) })
	if !ok {
		return fmt.Errorf("async: async.local.learner_threads = %d, but the learner %T cannot bound its threads (no SetLogProbThreads)", c.LearnerThreads, l)
	}
	lt.SetLogProbThreads(n)
	return nil
}
