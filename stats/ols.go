package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Column is one variable of a data frame for [OLS]: numeric (Num) or categorical (Str, coded as a
// factor with sorted levels and treatment contrasts, the first level the reference).
type Column struct {
	Num []float64 // numeric values, or nil
	Str []string  // categorical values, or nil
}

// OLSResult is R's summary(lm(formula, data)).
type OLSResult struct {
	Names    []string    // coefficient names as R writes them ("(Intercept)", "x", "groupB")
	Estimate []float64   // estimates; NaN for an aliased coefficient
	StdError []float64   // standard errors; NaN when aliased
	T        []float64   // t values; NaN when aliased
	P        []float64   // two-sided p-values on DFResidual; NaN when aliased
	Aliased  []bool      // true where the column is a linear combination of earlier ones
	Sigma    float64     // residual standard error
	DFResid  float64     // residual degrees of freedom
	RSquared float64     // R² (centred when the model has an intercept)
	AdjRSq   float64     // adjusted R²
	F        float64     // overall F statistic
	FNumDF   float64     // its numerator degrees of freedom
	FDenDF   float64     // its denominator degrees of freedom
	FP       float64     // its upper-tail p-value
	Columns  []string    // model-matrix column names
	Design   [][]float64 // the model matrix, one row per observation
}

// ParseFormula reads "y ~ a + b" (optionally "- 1" or "+ 0" for no intercept) into the response,
// the terms and whether there is an intercept.
func ParseFormula(f string) (resp string, terms []string, intercept bool, err error) {
	lhs, rhs, ok := strings.Cut(f, "~")
	if !ok {
		return "", nil, false, fmt.Errorf("formula %q has no '~'", f)
	}
	resp = strings.TrimSpace(lhs)
	intercept = true
	rhs = strings.ReplaceAll(rhs, "-", "+-")
	for _, t := range strings.Split(rhs, "+") {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
		case t == "-1" || t == "- 1" || t == "0" || t == "-  1":
			intercept = false
		case t == "1":
			intercept = true
		case strings.HasPrefix(t, "-"):
			return "", nil, false, fmt.Errorf("formula %q: only '- 1' may be subtracted", f)
		default:
			terms = append(terms, t)
		}
	}
	if resp == "" {
		return "", nil, false, fmt.Errorf("formula %q has no response", f)
	}
	return resp, terms, intercept, nil
}

// OLS fits the linear model formula on data by least squares with R's rank-revealing rule (a
// column whose residual norm against the earlier columns falls below 1e-7 of its own is aliased).
func OLS(formula string, data map[string]Column) (OLSResult, error) {
	resp, terms, icpt, err := ParseFormula(formula)
	if err != nil {
		return OLSResult{}, err
	}
	yc, ok := data[resp]
	if !ok || yc.Num == nil {
		return OLSResult{}, fmt.Errorf("lm: response %q is not a numeric column", resp)
	}
	y := yc.Num
	n := len(y)
	var cols [][]float64
	var names []string
	if icpt {
		one := make([]float64, n)
		for i := range one {
			one[i] = 1
		}
		cols, names = append(cols, one), append(names, "(Intercept)")
	}
	for _, t := range terms {
		c, ok := data[t]
		if !ok {
			return OLSResult{}, fmt.Errorf("lm: object %q not found", t)
		}
		switch {
		case c.Num != nil:
			if len(c.Num) != n {
				return OLSResult{}, fmt.Errorf("lm: variable lengths differ (found for %q)", t)
			}
			cols, names = append(cols, c.Num), append(names, t)
		case c.Str != nil:
			if len(c.Str) != n {
				return OLSResult{}, fmt.Errorf("lm: variable lengths differ (found for %q)", t)
			}
			levels := uniqueSorted(c.Str)
			start := 1
			if !icpt && len(cols) == 0 {
				start = 0 // full dummy coding for the first factor of a no-intercept model
			}
			for _, lv := range levels[start:] {
				d := make([]float64, n)
				for i, s := range c.Str {
					if s == lv {
						d[i] = 1
					}
				}
				cols, names = append(cols, d), append(names, t+lv)
			}
		default:
			return OLSResult{}, fmt.Errorf("lm: column %q is empty", t)
		}
	}
	return fitOLS(y, cols, names, icpt)
}

func uniqueSorted(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func fitOLS(y []float64, cols [][]float64, names []string, icpt bool) (OLSResult, error) {
	n, p := len(y), len(cols)
	res := OLSResult{Names: names, Columns: names, Aliased: make([]bool, p)}
	res.Design = make([][]float64, n)
	for i := range res.Design {
		res.Design[i] = make([]float64, p)
		for j := range cols {
			res.Design[i][j] = cols[j][i]
		}
	}
	// Gram–Schmidt pass to find aliased columns in order.
	var basis [][]float64
	var kept []int
	for j, c := range cols {
		v := append([]float64{}, c...)
		norm0 := math.Sqrt(dot(v, v))
		for _, b := range basis {
			d := dot(v, b)
			for i := range v {
				v[i] -= d * b[i]
			}
		}
		nv := math.Sqrt(dot(v, v))
		if norm0 == 0 || nv < 1e-7*norm0 {
			res.Aliased[j] = true
			continue
		}
		for i := range v {
			v[i] /= nv
		}
		basis = append(basis, v)
		kept = append(kept, j)
	}
	r := len(kept)
	if r == 0 {
		return res, errors.New("lm: the model matrix has rank 0")
	}
	X := mat.NewDense(n, r, nil)
	for i := 0; i < n; i++ {
		for k, j := range kept {
			X.Set(i, k, cols[j][i])
		}
	}
	var qr mat.QR
	qr.Factorize(X)
	var beta mat.Dense
	if err := qr.SolveTo(&beta, false, mat.NewDense(n, 1, append([]float64{}, y...))); err != nil {
		return res, fmt.Errorf("lm: %w", err)
	}
	var R mat.Dense
	qr.RTo(&R)
	var Rinv mat.Dense
	if err := Rinv.Inverse(R.Slice(0, r, 0, r)); err != nil {
		return res, fmt.Errorf("lm: %w", err)
	}
	rss := 0.0
	fitted := make([]float64, n)
	for i := 0; i < n; i++ {
		for k := 0; k < r; k++ {
			fitted[i] += X.At(i, k) * beta.At(k, 0)
		}
		e := y[i] - fitted[i]
		rss += e * e
	}
	rdf := float64(n - r)
	res.DFResid = rdf
	resvar := rss / rdf
	res.Sigma = math.Sqrt(resvar)
	nan := math.NaN()
	res.Estimate, res.StdError, res.T, res.P = fill(p, nan), fill(p, nan), fill(p, nan), fill(p, nan)
	for k, j := range kept {
		ss := 0.0
		for c := 0; c < r; c++ {
			v := Rinv.At(k, c)
			ss += v * v
		}
		b := beta.At(k, 0)
		se := math.Sqrt(ss * resvar)
		res.Estimate[j], res.StdError[j] = b, se
		res.T[j] = b / se
		res.P[j] = 2 * pt(-math.Abs(b/se), rdf, false)
	}
	dfi := 0.0
	mss := 0.0
	if icpt {
		dfi = 1
		m := mean(fitted)
		for _, f := range fitted {
			mss += (f - m) * (f - m)
		}
	} else {
		for _, f := range fitted {
			mss += f * f
		}
	}
	res.RSquared = mss / (mss + rss)
	res.AdjRSq = 1 - (1-res.RSquared)*((float64(n)-dfi)/rdf)
	res.FNumDF, res.FDenDF = float64(r)-dfi, rdf
	res.F = (mss / res.FNumDF) / resvar
	res.FP = fUpper(res.F, res.FNumDF, res.FDenDF)
	return res, nil
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
