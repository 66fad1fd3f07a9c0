package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// KMStep is the Kaplan–Meier estimate at one distinct time.
type KMStep struct {
	Time    float64 // the time
	NRisk   int     // number at risk just before Time
	NEvent  int     // events at Time
	NCensor int     // censorings at Time
	Surv    float64 // S(Time)
	StdErr  float64 // Greenwood standard error of S (S scale)
	SELog   float64 // standard error of the cumulative hazard −log S (survfit's std.err)
	Lower95 float64 // log-scale 95% lower limit
	Upper95 float64 // log-scale 95% upper limit, capped at 1
}

// KMCurve is one stratum of R's survfit(Surv(time, status) ~ group).
type KMCurve struct {
	Stratum  string   // "all", or "group=level"
	N        int      // subjects
	Events   int      // events
	Steps    []KMStep // every distinct time, events and censorings
	Median   float64  // median survival (NaN when not reached)
	MedianLo float64  // its 95% lower limit (NaN when not reached)
	MedianHi float64  // its 95% upper limit (NaN when not reached)
}

// EventSteps returns the steps with at least one event (summary(fit, censored = FALSE)).
func (c KMCurve) EventSteps() []KMStep {
	var out []KMStep
	for _, s := range c.Steps {
		if s.NEvent > 0 {
			out = append(out, s)
		}
	}
	return out
}

// checkSurv validates survival inputs: equal lengths, finite non-negative times, status 0 or 1.
func checkSurv(time []float64, status []int) error {
	if len(time) != len(status) {
		return fmt.Errorf("survival: %d times but %d statuses", len(time), len(status))
	}
	if len(time) == 0 {
		return errors.New("survival: no observations")
	}
	for i, t := range time {
		if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 {
			return fmt.Errorf("survival: time %v at observation %d is not a finite non-negative number", t, i+1)
		}
		if status[i] != 0 && status[i] != 1 {
			return fmt.Errorf("survival: status %d at observation %d is not 0 (censored) or 1 (event)", status[i], i+1)
		}
	}
	return nil
}

// KaplanMeier estimates survival curves with Greenwood standard errors and log-scale 95%
// intervals, one curve per distinct value of group (sorted; nil group = one curve "all").
// groupName labels strata as "groupName=level".
func KaplanMeier(time []float64, status []int, group []string, groupName string) ([]KMCurve, error) {
	if err := checkSurv(time, status); err != nil {
		return nil, err
	}
	if group == nil {
		return []KMCurve{kmCurve("all", time, status)}, nil
	}
	if len(group) != len(time) {
		return nil, fmt.Errorf("survival: %d group labels for %d observations", len(group), len(time))
	}
	var out []KMCurve
	for _, lv := range sortLevels(group) {
		var t []float64
		var s []int
		for i, g := range group {
			if g == lv {
				t, s = append(t, time[i]), append(s, status[i])
			}
		}
		out = append(out, kmCurve(groupName+"="+lv, t, s))
	}
	return out, nil
}

func kmCurve(name string, time []float64, status []int) KMCurve {
	idx := sortedIdx(time)
	c := KMCurve{Stratum: name, N: len(time)}
	z := qnorm(0.975)
	surv, cum := 1.0, 0.0
	nrisk := len(time)
	for i := 0; i < len(idx); {
		t := time[idx[i]]
		d, cens := 0, 0
		j := i
		for ; j < len(idx) && time[idx[j]] == t; j++ {
			if status[idx[j]] == 1 {
				d++
			} else {
				cens++
			}
		}
		n := float64(nrisk)
		if d > 0 {
			surv *= (n - float64(d)) / n
			cum += float64(d) / (n * (n - float64(d)))
		}
		se := math.Sqrt(cum)
		st := KMStep{Time: t, NRisk: nrisk, NEvent: d, NCensor: cens, Surv: surv, StdErr: surv * se, SELog: se}
		st.Lower95 = math.Exp(math.Log(surv) - z*se)
		st.Upper95 = math.Min(1, math.Exp(math.Log(surv)+z*se))
		if surv == 0 {
			st.Lower95, st.Upper95 = math.NaN(), math.NaN()
		}
		c.Steps = append(c.Steps, st)
		c.Events += d
		nrisk -= d + cens
		i = j
	}
	pick := func(f func(KMStep) float64) float64 {
		ys := make([]float64, len(c.Steps))
		xs := make([]float64, len(c.Steps))
		for i, s := range c.Steps {
			ys[i], xs[i] = f(s), s.Time
		}
		return minmin(ys, xs)
	}
	c.Median = pick(func(s KMStep) float64 { return s.Surv })
	c.MedianLo = pick(func(s KMStep) float64 { return s.Lower95 })
	c.MedianHi = pick(func(s KMStep) float64 { return s.Upper95 })
	return c
}

// minmin is survival's rule for a quantile of a step curve: the first x where y <= 0.5 (within
// sqrt(eps)), or the midpoint to the next drop when y is exactly 0.5 there.
func minmin(y, x []float64) float64 {
	tol := math.Sqrt(epsilon)
	var ky, kx []float64
	for i := range y {
		if !math.IsNaN(y[i]) && y[i] < 0.5+tol {
			ky, kx = append(ky, y[i]), append(kx, x[i])
		}
	}
	if len(ky) == 0 {
		return math.NaN()
	}
	if math.Abs(ky[0]-0.5) < tol {
		for i := range ky {
			if ky[i] < ky[0] {
				return (kx[0] + kx[i]) / 2
			}
		}
	}
	return kx[0]
}

// sortedIdx returns the indices of x in ascending order (stable).
func sortedIdx(x []float64) []int {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	return idx
}

// sortLevels returns the distinct labels, numerically sorted when every label is a number.
func sortLevels(g []string) []string {
	lv := uniqueSorted(g)
	nums := make(map[string]float64, len(lv))
	for _, s := range lv {
		var v float64
		if _, err := fmt.Sscan(s, &v); err != nil {
			return lv
		}
		nums[s] = v
	}
	sort.SliceStable(lv, func(a, b int) bool { return nums[lv[a]] < nums[lv[b]] })
	return lv
}
