package stats

import (
	"errors"
	"math"
)

// TTestResult is R's t.test(x, y) for two independent samples, two-sided unless read from PLess or
// PGreater.
type TTestResult struct {
	T        float64    // the t statistic of mean(x) − mean(y)
	DF       float64    // degrees of freedom (Welch–Satterthwaite, or nx + ny − 2 when pooled)
	P        float64    // two-sided p-value
	PLess    float64    // p-value for the alternative mean(x) < mean(y)
	PGreater float64    // p-value for the alternative mean(x) > mean(y)
	CI       [2]float64 // 95% confidence interval of mean(x) − mean(y)
	MeanX    float64    // mean of x
	MeanY    float64    // mean of y
	StdErr   float64    // standard error of the difference
}

// ErrConstant is R's "data are essentially constant": both samples have (numerically) zero spread.
var ErrConstant = errors.New("data are essentially constant")

// TTest runs Welch's t-test (varEqual false) or Student's pooled t-test (varEqual true) of x against
// y, as R's t.test(x, y, var.equal = varEqual).
func TTest(x, y []float64, varEqual bool) (TTestResult, error) {
	nx, ny := float64(len(x)), float64(len(y))
	if len(x) < 1 || (!varEqual && len(x) < 2) {
		return TTestResult{}, errors.New("not enough 'x' observations")
	}
	if len(y) < 1 || (!varEqual && len(y) < 2) {
		return TTestResult{}, errors.New("not enough 'y' observations")
	}
	if varEqual && len(x)+len(y) < 3 {
		return TTestResult{}, errors.New("not enough observations")
	}
	mx, my := mean(x), mean(y)
	var df, se float64
	if varEqual {
		df = nx + ny - 2
		v := 0.0
		if len(x) > 1 {
			v += (nx - 1) * variance(x)
		}
		if len(y) > 1 {
			v += (ny - 1) * variance(y)
		}
		v /= df
		se = math.Sqrt(v * (1/nx + 1/ny))
	} else {
		sx := math.Sqrt(variance(x) / nx)
		sy := math.Sqrt(variance(y) / ny)
		se = math.Sqrt(sx*sx + sy*sy)
		df = math.Pow(se, 4) / (math.Pow(sx, 4)/(nx-1) + math.Pow(sy, 4)/(ny-1))
	}
	if se < 10*epsilon*math.Max(math.Abs(mx), math.Abs(my)) || se == 0 {
		return TTestResult{}, ErrConstant
	}
	t := (mx - my) / se
	q := qt(0.975, df)
	return TTestResult{
		T: t, DF: df,
		P:        2 * pt(-math.Abs(t), df, false),
		PLess:    pt(t, df, false),
		PGreater: pt(t, df, true),
		CI:       [2]float64{(t - q) * se, (t + q) * se},
		MeanX:    mx, MeanY: my, StdErr: se,
	}, nil
}

// epsilon is R's .Machine$double.eps.
const epsilon = 2.220446049250313e-16
