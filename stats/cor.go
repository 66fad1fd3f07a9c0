package stats

import (
	"errors"
	"math"
)

// CorResult is R's cor.test(x, y) for Pearson's product-moment correlation.
type CorResult struct {
	R        float64    // Pearson's r (NaN when a variable is constant)
	T        float64    // t = r·sqrt(df / (1 − r²))
	DF       float64    // n − 2
	P        float64    // two-sided p-value
	CI       [2]float64 // 95% Fisher-z interval, NaN when n < 4
	Warnings []string   // R's warnings ("the standard deviation is zero")
}

// warnSDZero is R's warning for a constant variable in cor().
const warnSDZero = "the standard deviation is zero"

// pearson returns the correlation of x and y by two centred passes, clamped to [−1, 1] as R does;
// NaN when either has zero spread.
func pearson(x, y []float64) float64 {
	mx, my := mean(x), mean(y)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	r := sxy / (math.Sqrt(sxx) * math.Sqrt(syy))
	return math.Max(-1, math.Min(1, r))
}

// Pearson runs cor.test(x, y, method = "pearson").
func Pearson(x, y []float64) (CorResult, error) {
	if len(x) != len(y) {
		return CorResult{}, errors.New("'x' and 'y' must have the same length")
	}
	n := len(x)
	if n < 3 {
		return CorResult{}, errors.New("not enough finite observations")
	}
	df := float64(n - 2)
	r := pearson(x, y)
	res := CorResult{R: r, DF: df, CI: [2]float64{math.NaN(), math.NaN()}}
	if math.IsNaN(r) {
		res.T, res.P = math.NaN(), math.NaN()
		res.Warnings = []string{warnSDZero}
		return res, nil
	}
	res.T = math.Sqrt(df) * r / math.Sqrt(1-r*r)
	res.P = 2 * math.Min(pt(res.T, df, false), pt(res.T, df, true))
	if n > 3 {
		z := math.Atanh(r)
		s := 1 / math.Sqrt(float64(n-3))
		q := qnorm(0.975)
		res.CI = [2]float64{math.Tanh(z - s*q), math.Tanh(z + s*q)}
	}
	return res, nil
}
