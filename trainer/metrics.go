package trainer

import (
	"math"
	"sort"
	"time"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/reward"
	"github.com/ascent-rl/ascent/rollout"
)

// metrics is one step's metrics under verl's names.
type metrics map[string]float64

// addAll copies other into m.
func (m metrics) addAll(other map[string]float64) {
	for k, v := range other {
		m[k] = v
	}
}

// sum adds other into m key by key (for averaging over updates).
func (m metrics) sum(other map[string]float64) {
	for k, v := range other {
		m[k] += v
	}
}

// stats records prefix/{mean,max,min} of xs.
func (m metrics) stats(prefix string, xs []float64) {
	if len(xs) == 0 {
		return
	}
	lo, hi, s := math.Inf(1), math.Inf(-1), 0.0
	for _, x := range xs {
		lo, hi, s = math.Min(lo, x), math.Max(hi, x), s+x
	}
	m[prefix+"/mean"], m[prefix+"/max"], m[prefix+"/min"] = s/float64(len(xs)), hi, lo
}

// statsMasked records prefix/{mean,max,min} over valid tokens, or of per-row sums when rowSum.
func (m metrics) statsMasked(prefix string, x, mask [][]float64, rowSum bool) {
	var xs []float64
	for i := range x {
		s := 0.0
		for j := range x[i] {
			if mask[i][j] > 0 {
				if rowSum {
					s += x[i][j]
				} else {
					xs = append(xs, x[i][j])
				}
			}
		}
		if rowSum {
			xs = append(xs, s)
		}
	}
	m.stats(prefix, xs)
}

// timer accumulates wall time.
type timer struct {
	t0    time.Time
	total float64
}

func (t *timer) start() { t.t0 = time.Now() }
func (t *timer) stop()  { t.total += time.Since(t.t0).Seconds() }

// timings collects timing_s/* entries.
type timings struct {
	open map[string]time.Time
	secs map[string]float64
}

func (t *timings) begin(name string) {
	if t.open == nil {
		t.open = map[string]time.Time{}
	}
	t.open[name] = time.Now()
}

func (t *timings) end(name string) { t.set(name, t.get(name)+time.Since(t.open[name]).Seconds()) }

func (t *timings) get(name string) float64 { return t.secs[name] }

func (t *timings) set(name string, s float64) {
	if t.secs == nil {
		t.secs = map[string]float64{}
	}
	t.secs[name] = s
}

func (t *timings) report(m metrics) {
	for k, v := range t.secs {
		m[metric.TimingPrefix+k] = v
	}
}

// rolloutStats are the step's rollout and verifier statistics.
type rolloutStats struct {
	gen, reward  timer
	lengths      []float64
	clipped      int
	results      []reward.Result // every verdict of the step, kept or filtered
	groups       int
	zeroStd      int
	filtered     int
	promptLength []float64
	tools        *toolStats // tool calls (nil without rollout.tools)
}

// phase returns the workflow's phase callback: it moves the progress display and times the
// generation and the verification.
func (s *rolloutStats) phase(pr *progress) rollout.Phase {
	var cur *timer
	return func(name string) {
		if cur != nil {
			cur.stop()
			cur = nil
		}
		switch name {
		case "rollout":
			cur = &s.gen
		case "reward":
			cur = &s.reward
		default:
			return
		}
		pr.enter(name)
		cur.start()
	}
}

// observe records a scored group.
func (s *rolloutStats) observe(g *rollout.Group, maxLen int) {
	s.groups++
	if constant(g.Rewards()) {
		s.zeroStd++
	}
	s.promptLength = append(s.promptLength, float64(len(g.Task.Prompt)))
	if s.tools != nil {
		s.tools.responses += len(g.Trajectories)
	}
	for _, q := range g.Trajectories {
		s.lengths = append(s.lengths, float64(len(q.Tokens)))
		if q.FinishReason == "length" || len(q.Tokens) >= maxLen {
			s.clipped++
		}
		s.results = append(s.results, reward.Result{Score: q.Score, Verdict: q.Verdict})
	}
}

// constant reports whether every value equals the first (frac_reward_zero_std).
func constant(xs []float64) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}

// report writes the statistics under verl's (and TRL's) names.
func (s *rolloutStats) report(m metrics) {
	m.stats("response_length", s.lengths)
	s.tools.report(m)
	m.stats("prompt_length", s.promptLength)
	if n := len(s.results); n > 0 {
		correct := 0
		for _, r := range s.results {
			if r.Correct {
				correct++
			}
		}
		m[metric.RespClipRatio] = float64(s.clipped) / float64(n)
		m[metric.Accuracy] = float64(correct) / float64(n)
		st := reward.Summarize(s.results)
		m[metric.TimeoutRatio] = st.TimeoutRatio
		m[metric.ErrorRatio] = st.ErrorRatio
		m[metric.UnparsableRatio] = st.UnparsableRatio
		for o, v := range st.CodeOutcomes {
			m[metric.CodeOutcome+o+"_ratio"] = v
		}
	}
	if s.groups > 0 {
		m["frac_reward_zero_std"] = float64(s.zeroStd) / float64(s.groups)
		m[metric.FilteredRatio] = float64(s.filtered) / float64(s.groups)
	}
}

// voteMetrics averages TTRL's diagnostics over prompts.
type voteMetrics struct {
	n                                          int
	label, reward, majority, truth, voteReward float64
}

func (v *voteMetrics) add(d algo.TTRLDiagnostics) {
	v.n++
	v.label += d.LabelAccuracy
	v.reward += d.RewardAccuracy
	v.majority += d.MajorityRatio
	v.truth += d.GroundTruthRatio
	v.voteReward += d.MajorityVotingReward
}

func (v *voteMetrics) merge(o voteMetrics) {
	v.n += o.n
	v.label += o.label
	v.reward += o.reward
	v.majority += o.majority
	v.truth += o.truth
	v.voteReward += o.voteReward
}

// report writes TTRL's diagnostics (never used for training).
func (v *voteMetrics) report(m metrics, enabled bool) {
	if !enabled || v.n == 0 {
		return
	}
	n := float64(v.n)
	m[metric.TTRLLabelAcc] = v.label / n
	m[metric.TTRLRewardAcc] = v.reward / n
	m[metric.TTRLMajority] = v.majority / n
	m[metric.TTRLTruthRatio] = v.truth / n
	m[metric.TTRLVoteReward] = v.voteReward / n
}

// sortedKeys lists m's keys in order (for stable printing).
func (m metrics) sortedKeys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
