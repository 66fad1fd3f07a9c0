package stats

import (
	"fmt"
	"math"
)

func init() {
	for _, eq := range []bool{false, true} {
		name, what := "welch_t", "Welch two-sample t-test"
		if eq {
			name, what = "student_t", "Student (pooled-variance) two-sample t-test"
		}
		Register(Tool{Name: name, Summary: what + " of X between Levels[0] and Levels[1] of Group; effect = mean difference",
			Needs: "X, Group, Levels", Run: func(a Args) (Outcome, error) {
				x, y, err := split(a)
				if err != nil {
					return Outcome{}, err
				}
				r, err := TTest(x, y, eq)
				if err != nil {
					return Outcome{}, err
				}
				return Outcome{Test: name, Statistic: r.T, StatName: "t", Effect: r.MeanX - r.MeanY, Effect2: "mean_difference", P: r.P, N: len(x) + len(y)}, nil
			}})
	}
	Register(Tool{Name: "mann_whitney", Summary: "Wilcoxon rank-sum (Mann–Whitney U) test of X between two groups (exact when small and untied, else normal with continuity correction); effect = W/(nx·ny), the probability that Levels[0] exceeds Levels[1] (0.5 = no shift)",
		Needs: "X, Group, Levels", Run: func(a Args) (Outcome, error) {
			x, y, err := split(a)
			if err != nil {
				return Outcome{}, err
			}
			r, err := Wilcoxon(x, y, len(x) < 50 && len(y) < 50, true)
			if err != nil {
				return Outcome{}, err
			}
			return Outcome{Test: "mann_whitney", Statistic: r.W, StatName: "W", Effect: r.W / float64(len(x)*len(y)), Effect2: "prob_superiority", P: r.P, N: len(x) + len(y)}, nil
		}})
	Register(Tool{Name: "kruskal", Summary: "Kruskal–Wallis test of X across the levels of Group; effect = epsilon squared H/(n−1)",
		Needs: "X, Group", Run: func(a Args) (Outcome, error) {
			if len(a.X) != len(a.Group) {
				return Outcome{}, fmt.Errorf("needs X and Group of equal length")
			}
			var x []float64
			var g []string
			for i := range a.X {
				if !math.IsNaN(a.X[i]) && a.Group[i] != "" {
					x, g = append(x, a.X[i]), append(g, a.Group[i])
				}
			}
			r, err := Kruskal(x, g)
			if err != nil {
				return Outcome{}, err
			}
			return Outcome{Test: "kruskal", Statistic: r.H, StatName: "H", Effect: r.H / float64(len(x)-1), Effect2: "epsilon_squared", P: r.P, N: len(x)}, nil
		}})
	Register(Tool{Name: "pearson", Summary: "Pearson correlation of X and Y; effect = r", Needs: "X, Y",
		Run: func(a Args) (Outcome, error) {
			x, y, err := pairs(a)
			if err != nil {
				return Outcome{}, err
			}
			r, err := Pearson(x, y)
			if err != nil {
				return Outcome{}, err
			}
			if math.IsNaN(r.R) {
				return Outcome{}, fmt.Errorf("a variable is constant")
			}
			return Outcome{Test: "pearson", Statistic: r.R, StatName: "r", Effect: r.R, Effect2: "r", P: r.P, N: len(x)}, nil
		}})
	Register(Tool{Name: "spearman", Summary: "Spearman rank correlation of X and Y (t approximation); effect = rho", Needs: "X, Y",
		Run: func(a Args) (Outcome, error) {
			x, y, err := pairs(a)
			if err != nil {
				return Outcome{}, err
			}
			r, err := Spearman(x, y, false)
			if err != nil {
				return Outcome{}, err
			}
			if math.IsNaN(r.Rho) {
				return Outcome{}, fmt.Errorf("a variable is constant")
			}
			return Outcome{Test: "spearman", Statistic: r.Rho, StatName: "rho", Effect: r.Rho, Effect2: "rho", P: r.P, N: len(x)}, nil
		}})
	Register(Tool{Name: "chisq", Summary: "Pearson chi-squared test of independence of Group and Group2 (Yates for 2x2); effect = Cramér's V",
		Needs: "Group, Group2", Run: func(a Args) (Outcome, error) {
			t, n, err := crossTab(a.Group, a.Group2)
			if err != nil {
				return Outcome{}, err
			}
			r, err := ChisqTest(t, true)
			if err != nil {
				return Outcome{}, err
			}
			k := math.Min(float64(len(t)), float64(len(t[0]))) - 1
			return Outcome{Test: "chisq", Statistic: r.Statistic, StatName: "X2", Effect: math.Sqrt(r.Statistic / (float64(n) * k)), Effect2: "cramers_v", P: r.P, N: n}, nil
		}})
	Register(Tool{Name: "fisher", Summary: "Fisher's exact test of a 2x2 table of Group by Group2; effect = conditional MLE odds ratio",
		Needs: "Group, Group2 (two levels each)", Run: func(a Args) (Outcome, error) {
			t, n, err := crossTab(a.Group, a.Group2)
			if err != nil {
				return Outcome{}, err
			}
			r, err := FisherTest(t)
			if err != nil {
				return Outcome{}, err
			}
			return Outcome{Test: "fisher", Statistic: r.OddsRatio, StatName: "odds_ratio", Effect: r.OddsRatio, Effect2: "odds_ratio", P: r.P, N: n}, nil
		}})
	Register(Tool{Name: "cox", Summary: "Cox proportional hazards of survival on X (Efron ties), adjusted for Covariates; effect = hazard ratio per unit of X",
		Needs: "X, Time, Status [, Covariates]", Run: func(a Args) (Outcome, error) {
			rows := a
			t, s, x, _, err := survivalRows(rows)
			if err != nil {
				return Outcome{}, err
			}
			if x == nil {
				return Outcome{}, fmt.Errorf("needs X")
			}
			cov := [][]float64{x}
			names := []string{"x"}
			for name, c := range a.Covariates {
				var v []float64
				for i := range a.Time {
					if !math.IsNaN(a.X[i]) && !math.IsNaN(a.Time[i]) {
						v = append(v, c[i])
					}
				}
				cov, names = append(cov, v), append(names, name)
			}
			r, err := CoxPH(t, s, cov, names, CoxOptions{Ties: Efron})
			if err != nil {
				return Outcome{}, err
			}
			return Outcome{Test: "cox", Statistic: r.Z[0], StatName: "z", Effect: r.HR[0], Effect2: "hazard_ratio", P: r.P[0], N: r.N}, nil
		}})
	Register(Tool{Name: "logrank", Summary: "log-rank test of survival across the levels of Group; effect = observed/expected events in Levels[0] (or the first level)",
		Needs: "Group, Time, Status", Run: func(a Args) (Outcome, error) {
			t, s, _, g, err := survivalRows(Args{Time: a.Time, Status: a.Status, Group: a.Group})
			if err != nil {
				return Outcome{}, err
			}
			r, err := LogRank(t, s, g, "group", 0)
			if err != nil {
				return Outcome{}, err
			}
			k := 0
			for i, name := range r.Groups {
				if name == "group="+a.Levels[0] {
					k = i
				}
			}
			return Outcome{Test: "logrank", Statistic: r.Chisq, StatName: "chisq", Effect: r.Obs[k] / r.Exp[k], Effect2: "obs_over_exp", P: r.P, N: len(t)}, nil
		}})
	Register(Tool{Name: "ols", Summary: "linear regression of Y on X and Covariates; effect = X's coefficient, statistic its t",
		Needs: "X, Y [, Covariates]", Run: func(a Args) (Outcome, error) {
			if len(a.X) != len(a.Y) {
				return Outcome{}, fmt.Errorf("needs X and Y of equal length")
			}
			data := map[string]Column{}
			var keep []int
			for i := range a.X {
				ok := !math.IsNaN(a.X[i]) && !math.IsNaN(a.Y[i])
				for _, c := range a.Covariates {
					ok = ok && !math.IsNaN(c[i])
				}
				if ok {
					keep = append(keep, i)
				}
			}
			pick := func(v []float64) []float64 {
				out := make([]float64, len(keep))
				for j, i := range keep {
					out[j] = v[i]
				}
				return out
			}
			data["y"], data["x"] = Column{Num: pick(a.Y)}, Column{Num: pick(a.X)}
			f := "y ~ x"
			for name, c := range a.Covariates {
				data["cov_"+name] = Column{Num: pick(c)}
				f += " + cov_" + name
			}
			r, err := OLS(f, data)
			if err != nil {
				return Outcome{}, err
			}
			if r.Aliased[1] {
				return Outcome{}, fmt.Errorf("x is aliased with the covariates")
			}
			return Outcome{Test: "ols", Statistic: r.T[1], StatName: "t", Effect: r.Estimate[1], Effect2: "slope", P: r.P[1], N: len(keep)}, nil
		}})
}

// crossTab counts Group × Group2 (rows sorted levels of Group), skipping empty labels.
func crossTab(g1, g2 []string) ([][]float64, int, error) {
	if len(g1) != len(g2) || len(g1) == 0 {
		return nil, 0, fmt.Errorf("needs Group and Group2 of equal, non-zero length")
	}
	var a, b []string
	for i := range g1 {
		if g1[i] != "" && g2[i] != "" {
			a, b = append(a, g1[i]), append(b, g2[i])
		}
	}
	la, lb := sortLevels(a), sortLevels(b)
	ia, ib := map[string]int{}, map[string]int{}
	for i, v := range la {
		ia[v] = i
	}
	for i, v := range lb {
		ib[v] = i
	}
	t := grid(len(la), len(lb))
	for i := range a {
		t[ia[a[i]]][ib[b[i]]]++
	}
	return t, len(a), nil
}
